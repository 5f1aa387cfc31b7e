"""A change stamp per school, bumped by triggers in the writing transaction: a feed's version.

Until now every feed request ran an aggregate over the feed's tasks (``max(changed_at)``,
``count``) to learn whether its cached rendering was still good: work that grows with the
school (3,000 children capped the school feed near 70 requests a second), and blind to changes
that alter a feed without touching its tasks (a child's, class's, teacher's or school's new
name). ``feed_stamp`` holds one counter per school; triggers add one to it in the transaction
of every change that can alter a feed of that school:

- a task inserted, updated or deleted (its activity's school, before and after the change);
- a child, class, teacher or school renamed (the feeds show masked names, class names and the
  teacher's or school's name); a child moved to another class;
- a term inserted, updated (planned again, its calendar changed) or deleted: every school.

A school's row appears with its first change (an upsert), so a school never changed reads as
stamp 0. A feed request then reads its subscription joined with its school's stamp, one
indexed query, and serves the cached rendering while the stamp is unchanged.

SQLite has only row triggers: a task written costs one primary-key lookup of its activity and
one upsert of one row. PostgreSQL runs the task's triggers per statement over their transition
tables, so a plan writing thousands of tasks in one batched INSERT bumps each school once.
A bump holds the stamp's row lock to the end of its transaction, so two writers of one school
commit one after the other; every statement takes its schools in id order, so that
single-statement writers never deadlock (two transactions of several statements each, over
several schools in crossing orders, can: PostgreSQL then fails one of them, and the daemon's
tick is retried).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BUMP = " ON CONFLICT (school_id) DO UPDATE SET stamp = feed_stamp.stamp + 1"
"""Appended to ``INSERT INTO feed_stamp (school_id, stamp) SELECT <school>, 1 …``."""


def _bump(schools: str) -> str:
    """One statement adding one to the stamp of each school that ``schools`` selects (one
    column, the school's id; ``WHERE true`` lets SQLite parse the upsert after a SELECT)."""
    return (
        "INSERT INTO feed_stamp (school_id, stamp)"
        f" SELECT DISTINCT school_id, 1 FROM ({schools}) AS changed WHERE true"
        f" ORDER BY school_id{_BUMP}"
    )


def _sqlite_task_bump(record: str, when: str = "true") -> str:
    """A SQLite row trigger's bump for the task ``record`` (``NEW`` or ``OLD``): one primary-key
    lookup and one upsert, the simplest statement, as it runs once per task row written."""
    return (
        "INSERT INTO feed_stamp (school_id, stamp) SELECT school_id, 1 FROM activity"
        f" WHERE activity.id = {record}.activity_id AND {when}{_BUMP}"
    )


_EVERY_SCHOOL = "SELECT id AS school_id FROM school"
_RENAMES = {
    "child": ("NEW.school_id", "OLD.name IS NOT NEW.name OR OLD.class_id IS NOT NEW.class_id"),
    "school_class": ("NEW.school_id", "OLD.name IS NOT NEW.name"),
    "teacher": ("NEW.school_id", "OLD.name IS NOT NEW.name"),
    "school": ("NEW.id", "OLD.name IS NOT NEW.name"),
}
"""Per table: the school whose feeds a renamed row is in, and when an update renames it."""


def _sqlite_triggers() -> list[str]:
    task = {
        "insert": _sqlite_task_bump("NEW"),
        "update": _sqlite_task_bump("NEW")
        + "; "
        + _sqlite_task_bump("OLD", "OLD.activity_id IS NOT NEW.activity_id"),
        "delete": _sqlite_task_bump("OLD"),
    }
    statements = [
        f"CREATE TRIGGER feed_stamp_task_{event} AFTER {event.upper()} ON task"
        f" FOR EACH ROW BEGIN {bump}; END"
        for event, bump in task.items()
    ]
    statements += [
        f"CREATE TRIGGER feed_stamp_{table}_name AFTER UPDATE ON {table}"
        f" FOR EACH ROW WHEN {when} BEGIN {_bump(f'SELECT {school} AS school_id')}; END"
        for table, (school, when) in _RENAMES.items()
    ]
    statements += [
        f"CREATE TRIGGER feed_stamp_term_{event} AFTER {event.upper()} ON term"
        f" FOR EACH ROW BEGIN {_bump(_EVERY_SCHOOL)}; END"
        for event in ("insert", "update", "delete")
    ]
    return statements


def _function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION guanai_feed_stamp_{name}() RETURNS trigger AS $$"
        f" BEGIN {body}; RETURN NULL; END $$ LANGUAGE plpgsql"
    )


def _rows_schools(table: str) -> str:
    return (
        f"SELECT activity.school_id FROM {table} JOIN activity ON activity.id = {table}.activity_id"
    )


def _postgresql_triggers() -> list[str]:
    task = {
        "insert": ("REFERENCING NEW TABLE AS new_rows", _rows_schools("new_rows")),
        "update": (
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            f"{_rows_schools('old_rows')} UNION {_rows_schools('new_rows')}",
        ),
        "delete": ("REFERENCING OLD TABLE AS old_rows", _rows_schools("old_rows")),
    }
    statements: list[str] = []
    for event, (referencing, schools) in task.items():
        statements += [
            _function(f"task_{event}", _bump(schools)),
            f"CREATE TRIGGER feed_stamp_task_{event} AFTER {event.upper()} ON task"
            f" {referencing} FOR EACH STATEMENT EXECUTE FUNCTION guanai_feed_stamp_task_{event}()",
        ]
    for table, (school, when) in _RENAMES.items():
        statements += [
            _function(f"{table}_name", _bump(f"SELECT {school} AS school_id")),
            f"CREATE TRIGGER feed_stamp_{table}_name AFTER UPDATE ON {table} FOR EACH ROW"
            f" WHEN ({when.replace('IS NOT', 'IS DISTINCT FROM')})"
            f" EXECUTE FUNCTION guanai_feed_stamp_{table}_name()",
        ]
    statements += [
        _function("term", _bump(_EVERY_SCHOOL)),
        "CREATE TRIGGER feed_stamp_term AFTER INSERT OR UPDATE OR DELETE ON term"
        " FOR EACH STATEMENT EXECUTE FUNCTION guanai_feed_stamp_term()",
    ]
    return statements


def upgrade() -> None:
    op.create_table(
        "feed_stamp",
        sa.Column("school_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stamp", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_feed_stamp_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", name=op.f("pk_feed_stamp")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_triggers() if sqlite else _postgresql_triggers():
        op.execute(statement)


def downgrade() -> None:
    named = [("task", f"task_{event}") for event in ("insert", "update", "delete")]
    named += [(table, f"{table}_name") for table in _RENAMES]
    if op.get_bind().dialect.name == "sqlite":
        named += [("term", f"term_{event}") for event in ("insert", "update", "delete")]
        for _, name in named:
            op.execute(f"DROP TRIGGER feed_stamp_{name}")
    else:
        named.append(("term", "term"))
        for table, name in named:
            op.execute(f"DROP TRIGGER feed_stamp_{name} ON {table}")
            op.execute(f"DROP FUNCTION guanai_feed_stamp_{name}()")
    op.drop_table("feed_stamp")
