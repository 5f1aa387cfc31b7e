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

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.i18n import Label
from guanai.core.models import OPEN_STATES, Activity, Task

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


def waiting_reason(session: Session, registry: ActivityRegistry, task: Task) -> Label | None:
    """Why ``task`` may not be recorded yet, naming the steps it waits for by their titles
    (a type no plugin installs: by their names), or None when it waits for none."""
    earlier = waiting_for(session, task)
    if not earlier:
        return None
    kind = session.scalar(select(Activity.type).where(Activity.id == task.activity_id))
    steps = registry.get(kind).steps if kind in registry else ()
    titles = {step.name: step.title for step in steps}
    names = [titles.get(step, Label(step, step)) for step in earlier]
    return Label(
        f"任务 {task.id} 须先完成步骤：{'、'.join(n.zh for n in names)}",
        f"task {task.id} waits for step(s): {', '.join(n.en for n in names)}",
    )
