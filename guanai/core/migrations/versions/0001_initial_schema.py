"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 07:41:06.955724
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school")),
        sa.UniqueConstraint("code", name=op.f("uq_school_code")),
    )
    op.create_table(
        "term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=60), nullable=False),
        sa.Column("calendar_source", sa.Text(), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_term")),
        sa.UniqueConstraint("key", name=op.f("uq_term_key")),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_activity_school_id_school")
        ),
        sa.ForeignKeyConstraint(["term_id"], ["term.id"], name=op.f("fk_activity_term_id_term")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
        sa.UniqueConstraint(
            "term_id", "school_id", "key", name=op.f("uq_activity_term_id_school_id_key")
        ),
    )
    op.create_table(
        "teacher",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("is_coordinator", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_teacher_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teacher")),
        sa.UniqueConstraint("school_id", "code", name=op.f("uq_teacher_school_id_code")),
    )
    with op.batch_alter_table("teacher", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teacher_school_id"), ["school_id"], unique=False)

    op.create_table(
        "school_class",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("head_teacher_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["head_teacher_id"],
            ["teacher.id"],
            name=op.f("fk_school_class_head_teacher_id_teacher"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_school_class_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_class")),
        sa.UniqueConstraint("school_id", "name", name=op.f("uq_school_class_school_id_name")),
    )
    with op.batch_alter_table("school_class", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_class_school_id"), ["school_id"], unique=False)

    op.create_table(
        "child",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("student_no", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("gender", sa.String(length=10), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column(
            "enrolment_status", sa.String(length=20), server_default="enrolled", nullable=False
        ),
        sa.Column("left_behind_type", sa.String(length=40), nullable=True),
        sa.Column("home_address", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_child_class_id_school_class")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_child_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child")),
        sa.UniqueConstraint("school_id", "student_no", name=op.f("uq_child_school_id_student_no")),
    )
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_child_school_id"), ["school_id"], unique=False)
        batch_op.create_index(
            "ix_child_school_status", ["school_id", "enrolment_status"], unique=False
        )

    op.create_table(
        "guardian",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_guardian_child_id_child")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardian")),
    )
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guardian_child_id"), ["child_id"], unique=False)

    op.create_table(
        "pairing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("buddy_child_id", sa.Integer(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["buddy_child_id"], ["child.id"], name=op.f("fk_pairing_buddy_child_id_child")
        ),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"], name=op.f("fk_pairing_child_id_child")),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["teacher.id"], name=op.f("fk_pairing_teacher_id_teacher")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing")),
    )
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pairing_buddy_child_id"), ["buddy_child_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pairing_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairing_teacher_id"), ["teacher_id"], unique=False)
        batch_op.create_index(
            "uq_pairing_current_child",
            ["child_id"],
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        )

    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=24), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), server_default="pending", nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_task_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["teacher.id"], name=op.f("fk_task_assignee_id_teacher")
        ),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"], name=op.f("fk_task_child_id_child")),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_task_class_id_school_class")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
        sa.UniqueConstraint(
            "activity_id", "step", "subject", name=op.f("uq_task_activity_id_step_subject")
        ),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_task_assignee_scheduled", ["assignee_id", "scheduled_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_task_child_id"), ["child_id"], unique=False)
        batch_op.create_index("ix_task_state_due", ["state", "due_on"], unique=False)
        batch_op.create_index("ix_task_state_scheduled", ["state", "scheduled_on"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=12), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["teacher.id"], name=op.f("fk_outbox_message_recipient_id_teacher")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_outbox_message_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_outbox_message_task_id_task")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_message_state_next", ["state", "next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_task_id"), ["task_id"], unique=False)

    op.create_table(
        "record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_record_task_id_task")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record")),
        sa.UniqueConstraint("task_id", name=op.f("uq_record_task_id")),
    )


def downgrade() -> None:

    op.drop_table("record")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_task_id"))
        batch_op.drop_index("ix_outbox_message_state_next")

    op.drop_table("outbox_message")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_state_scheduled")
        batch_op.drop_index("ix_task_state_due")
        batch_op.drop_index(batch_op.f("ix_task_child_id"))
        batch_op.drop_index("ix_task_assignee_scheduled")

    op.drop_table("task")
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_pairing_current_child",
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_pairing_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_child_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_buddy_child_id"))

    op.drop_table("pairing")
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardian_child_id"))

    op.drop_table("guardian")
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_index("ix_child_school_status")
        batch_op.drop_index(batch_op.f("ix_child_school_id"))
        batch_op.drop_index(batch_op.f("ix_child_class_id"))

    op.drop_table("child")
    with op.batch_alter_table("school_class", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_class_school_id"))

    op.drop_table("school_class")
    with op.batch_alter_table("teacher", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teacher_school_id"))

    op.drop_table("teacher")
    op.drop_table("activity")
    op.drop_table("term")
    op.drop_table("school")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")

    op.drop_table("audit_event")
