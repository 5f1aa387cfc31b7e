"""A buddy (学习帮手) may be a classmate who is not on the roster, kept by name.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN, as 0012: a batch would rebuild the table on SQLite
    op.add_column("pairing", sa.Column("buddy_name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column("pairing", "buddy_name")
