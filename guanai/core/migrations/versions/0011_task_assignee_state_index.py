"""A teacher's tasks indexed by state too: the agenda's lists and counts read only its rows.

The agenda of a teacher's phone page asks for their open tasks up to a day and for their late
ones, and counts both. With the index on (assignee, day) each of those four queries read every
task of the teacher (3,759 for the busiest of a 3,000-child school) to keep the few in the
states asked for; on (assignee, state, day) each reads only its own rows, and a count of none
reads none. The new index takes the old one's place: every query by assignee alone (a teacher's
feed, a handover) uses its first column as before.

Plain CREATE and DROP INDEX, not a batch: rebuilding the table on SQLite would drop the task
triggers of migration 0010.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 23:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_task_assignee_state_scheduled", "task", ["assignee_id", "state", "scheduled_on"]
    )
    op.drop_index("ix_task_assignee_scheduled", table_name="task")


def downgrade() -> None:
    op.create_index("ix_task_assignee_scheduled", "task", ["assignee_id", "scheduled_on"])
    op.drop_index("ix_task_assignee_state_scheduled", table_name="task")
