"""Invariants the database enforces, whatever writes to it and however many at once.

- An ID number belongs to one child: once per school, and once among enrolled children (two
  imports racing could both find a number free). The old plain index is replaced.
- A task with a record is done: a record is refused for a task that is not done, and a done
  task with a record cannot change state (a re-plan racing a completion once wrote ``pending``
  over it). Triggers, since a check constraint cannot look at another table.

A database whose rows already break the first rule is not upgraded: the message says how many
children share a number and where, so that they can be corrected first. Tasks stuck by the
second (a record, not done) are left as they are; ``guanai repair`` marks them done.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.invariants import TASK_WITH_RECORD_IS_DONE as VIOLATION

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER record_needs_done_task BEFORE INSERT ON record
    FOR EACH ROW WHEN (SELECT state FROM task WHERE id = NEW.task_id) IS NOT 'done'
    BEGIN SELECT RAISE(ABORT, '{VIOLATION}'); END""",
    f"""CREATE TRIGGER task_with_record_stays_done BEFORE UPDATE OF state ON task
    FOR EACH ROW WHEN NEW.state IS NOT 'done'
        AND EXISTS (SELECT 1 FROM record WHERE record.task_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{VIOLATION}'); END""",
)
_POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION guanai_record_needs_done_task() RETURNS trigger AS $$
    BEGIN
        IF (SELECT state FROM task WHERE id = NEW.task_id) IS DISTINCT FROM 'done' THEN
            RAISE EXCEPTION '{VIOLATION}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER record_needs_done_task BEFORE INSERT ON record
    FOR EACH ROW EXECUTE FUNCTION guanai_record_needs_done_task()""",
    f"""CREATE FUNCTION guanai_task_with_record_stays_done() RETURNS trigger AS $$
    BEGIN
        IF NEW.state IS DISTINCT FROM 'done'
            AND EXISTS (SELECT 1 FROM record WHERE record.task_id = NEW.id) THEN
            RAISE EXCEPTION '{VIOLATION}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER task_with_record_stays_done BEFORE UPDATE OF state ON task
    FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state)
    EXECUTE FUNCTION guanai_task_with_record_stays_done()""",
)


def _refuse_shared_id_numbers() -> None:
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT count(*), count(DISTINCT id_number) FROM child WHERE id_number IN ("
                " SELECT id_number FROM child WHERE id_number IS NOT NULL GROUP BY id_number"
                " HAVING count(*) > 1"
                "  AND (count(DISTINCT school_id) < count(*)"
                "   OR sum(CASE WHEN enrolment_status = 'enrolled' THEN 1 ELSE 0 END) > 1))"
            )
        )
        .one()
    )
    children, numbers = shared
    if children:
        raise GuanaiError(
            Label(
                f"无法升级数据库：{children} 名儿童共用 {numbers} 个身份证号（同校重复，或多名在读"
                "学生相同）。请先用 guanai child set 改正后再运行 guanai init。",
                f"cannot upgrade the database: {children} children share {numbers} ID numbers "
                "(twice in one school, or more than one enrolled child). Correct them with "
                "guanai child set, then run guanai init again.",
            )
        )


def upgrade() -> None:
    _refuse_shared_id_numbers()
    with op.batch_alter_table("child") as batch:
        batch.drop_index("ix_child_id_number")
        batch.create_index("uq_child_id_number_school", ["id_number", "school_id"], unique=True)
        batch.create_index(
            "uq_child_enrolled_id_number",
            ["id_number"],
            unique=True,
            sqlite_where=sa.text("enrolment_status = 'enrolled'"),
            postgresql_where=sa.text("enrolment_status = 'enrolled'"),
        )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_TRIGGERS if sqlite else _POSTGRESQL_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER task_with_record_stays_done")
        op.execute("DROP TRIGGER record_needs_done_task")
    else:
        op.execute("DROP TRIGGER task_with_record_stays_done ON task")
        op.execute("DROP TRIGGER record_needs_done_task ON record")
        op.execute("DROP FUNCTION guanai_task_with_record_stays_done()")
        op.execute("DROP FUNCTION guanai_record_needs_done_task()")
    with op.batch_alter_table("child") as batch:
        batch.drop_index("uq_child_enrolled_id_number")
        batch.drop_index("uq_child_id_number_school")
        batch.create_index("ix_child_id_number", ["id_number"], unique=False)
