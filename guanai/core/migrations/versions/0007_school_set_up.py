"""A school set up by its own office, and started mid-term.

- ``teacher.subjects``: the subjects a teacher teaches (语文、数学…), from the 教师 sheet.
- ``school.planned_from``: the first day guanai ran the school's programme (its first plan).
  Duties whose window closed before it are not planned: a school that starts in December gets
  no September talks to be escalated. Left NULL here: the planner sets it on a school's next
  plan (a school already planned gets its earliest planned term's start, so none of its work
  is left out).
- ``child.joined_on``: the day the child came onto the roster in guanai. Per-child duties whose
  window closed before it are not planned. NULL (children of older databases): none left out.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teacher", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subjects", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_from", sa.Date(), nullable=True))
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joined_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_column("joined_on")
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.drop_column("planned_from")
    with op.batch_alter_table("teacher", schema=None) as batch_op:
        batch_op.drop_column("subjects")
