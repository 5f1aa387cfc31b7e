"""Feed subscriptions: per-subscriber calendar feed tokens, stored hashed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 08:43:53.485597
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("term_key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("alarms", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["school_class.id"],
            name=op.f("fk_feed_subscription_class_id_school_class"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_feed_subscription_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["teacher.id"], name=op.f("fk_feed_subscription_teacher_id_teacher")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_subscription")),
        sa.UniqueConstraint("slug", name=op.f("uq_feed_subscription_slug")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_subscription_token_hash")),
    )
    with op.batch_alter_table("feed_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_subscription_school_id"), ["school_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("feed_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_subscription_school_id"))

    op.drop_table("feed_subscription")
