"""A task's steps come in stages: a step waits while a step of an earlier stage is unfinished.

"Earlier" means the same activity and subject (the school, a class or a child) and a lower
``stage``; "unfinished" means open (not done, not cancelled). One definition, used where the
engine makes a task due, where it refuses a record, and where the dashboard shows a step as
waiting, so the three can never disagree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, aliased

from guanai.core.models import OPEN_STATES, Task

EARLIER = aliased(Task, name="earlier")
OPEN = tuple(state.value for state in OPEN_STATES)


def _unfinished_before(task: Any) -> tuple[ColumnElement[bool], ...]:
    """Conditions on :data:`EARLIER` rows: an open step ahead of ``task`` (a row or the
    :class:`Task` entity itself, for a correlated subquery)."""
    return (
        EARLIER.activity_id == task.activity_id,
        EARLIER.subject == task.subject,
        EARLIER.stage < task.stage,
        EARLIER.state.in_(OPEN),
    )


def waiting() -> ColumnElement[bool]:
    """True for a :class:`Task` row that waits for an unfinished step of an earlier stage."""
    return exists().where(*_unfinished_before(Task))


def waiting_for(session: Session, task: Task) -> list[str]:
    """The names of the unfinished earlier-stage steps ``task`` waits for, by stage and name."""
    query = (
        select(EARLIER.step).where(*_unfinished_before(task)).order_by(EARLIER.stage, EARLIER.step)
    )
    return list(session.scalars(query))
