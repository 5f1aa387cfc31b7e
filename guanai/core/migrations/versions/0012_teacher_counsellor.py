"""A teacher may be the school's counsellor (心理辅导教师), who holds the counselling sessions.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "teacher",
        sa.Column("is_counsellor", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite 3.35+): a batch would rebuild the table and lose its
    # feed-stamp triggers (migration 0010)
    op.drop_column("teacher", "is_counsellor")
