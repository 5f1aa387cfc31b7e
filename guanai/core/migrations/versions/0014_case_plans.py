"""Case plans: learning-support plans and individual education plans, their revisions,
children, teachers and check dates.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_case_plan_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_plan")),
    )
    with op.batch_alter_table("case_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_plan_school_id"), ["school_id"])
    op.create_table(
        "case_plan_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("revised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revised_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["case_plan.id"], name=op.f("fk_case_plan_version_plan_id_case_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_plan_version")),
        sa.UniqueConstraint(
            "plan_id", "version", name=op.f("uq_case_plan_version_plan_id_version")
        ),
    )
    op.create_table(
        "case_plan_child",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_case_plan_child_child_id_child")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["case_plan.id"], name=op.f("fk_case_plan_child_plan_id_case_plan")
        ),
        sa.PrimaryKeyConstraint("plan_id", "child_id", name=op.f("pk_case_plan_child")),
    )
    with op.batch_alter_table("case_plan_child", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_plan_child_child_id"), ["child_id"])
    op.create_table(
        "case_plan_teacher",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["case_plan.id"], name=op.f("fk_case_plan_teacher_plan_id_case_plan")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["teacher.id"], name=op.f("fk_case_plan_teacher_teacher_id_teacher")
        ),
        sa.PrimaryKeyConstraint("plan_id", "teacher_id", name=op.f("pk_case_plan_teacher")),
    )
    with op.batch_alter_table("case_plan_teacher", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_plan_teacher_teacher_id"), ["teacher_id"])
    op.create_table(
        "case_plan_check",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["case_plan.id"], name=op.f("fk_case_plan_check_plan_id_case_plan")
        ),
        sa.PrimaryKeyConstraint("plan_id", "due_on", name=op.f("pk_case_plan_check")),
    )


def downgrade() -> None:
    op.drop_table("case_plan_check")
    with op.batch_alter_table("case_plan_teacher", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_plan_teacher_teacher_id"))
    op.drop_table("case_plan_teacher")
    with op.batch_alter_table("case_plan_child", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_plan_child_child_id"))
    op.drop_table("case_plan_child")
    op.drop_table("case_plan_version")
    with op.batch_alter_table("case_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_plan_school_id"))
    op.drop_table("case_plan")
