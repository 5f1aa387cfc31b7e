"""Teachers' personal links to their phone pages, and the sessions opened from them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teacher_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_teacher_link_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_teacher_link_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["teacher.id"], name=op.f("fk_teacher_link_teacher_id_teacher")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teacher_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_teacher_link_token_hash")),
    )
    with op.batch_alter_table("teacher_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teacher_link_school_id"), ["school_id"])
        batch_op.create_index(batch_op.f("ix_teacher_link_teacher_id"), ["teacher_id"])
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"], ["teacher_link.id"], name=op.f("fk_web_session_link_id_teacher_link")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_link_id"), ["link_id"])


def downgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_link_id"))
    op.drop_table("web_session")
    with op.batch_alter_table("teacher_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teacher_link_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_teacher_link_school_id"))
    op.drop_table("teacher_link")
