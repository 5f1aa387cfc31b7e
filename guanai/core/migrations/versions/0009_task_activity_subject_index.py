"""An index of tasks by activity and subject, for the school feed's school-wide tasks.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 14:55:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index("ix_task_activity_subject", ["activity_id", "subject"])


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_activity_subject")
