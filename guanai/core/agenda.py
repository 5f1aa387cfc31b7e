"""What is on someone's plate: open tasks for the coming days, and what is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.i18n import Label
from guanai.core.masking import mask_name
from guanai.core.models import Activity, Child, SchoolClass, Task, TaskState
from guanai.core.task_rows import ASSIGNEE, task_rows

LATE = (TaskState.OVERDUE.value, TaskState.ESCALATED.value)
OPEN = (TaskState.PENDING.value, TaskState.DUE.value)
LIMIT = 100
"""Items of each list by default: a week of a whole school fits; the rest are counted."""


@dataclass(frozen=True)
class AgendaItem:
    task_id: int
    day: date
    due_on: date
    state: str
    title: Label
    subject: str
    assignee: str


@dataclass(frozen=True)
class Agenda:
    """At most ``limit`` items of each list, and how many there are in all (so that a front
    end can say how many it did not show)."""

    upcoming: list[AgendaItem]  # open tasks scheduled up to the window's end, earliest first
    overdue: list[AgendaItem]  # the longest-overdue first
    overdue_total: int
    upcoming_total: int


def agenda(
    session: Session,
    registry: ActivityRegistry,
    *,
    school_id: int,
    start: date,
    days: int,
    teacher_id: int | None = None,
    limit: int = LIMIT,
    in_full: ColumnElement[bool] | None = None,
) -> Agenda:
    """Open tasks scheduled before ``start + days`` (not yet done), and the overdue ones: the
    first ``limit`` of each, and the count of each (a query of its own only for a list cut at
    ``limit``: a shorter list is its own count).

    ``in_full`` is a condition on :class:`Child` (the viewer's access rule): a child's name
    is masked where it is false, in the same query as the rows; None shows every name."""
    end = start + timedelta(days=days)
    scope: list[Any] = [Activity.school_id == school_id]
    if teacher_id is not None:
        scope.append(Task.assignee_id == teacher_id)
    upcoming = (*scope, Task.state.in_(OPEN), Task.scheduled_on < end)
    overdue = (*scope, Task.state.in_(LATE))
    shown = true() if in_full is None else in_full
    upcoming_items = _items(session, registry, limit, shown, *upcoming)
    overdue_items = _items(session, registry, limit, shown, *overdue)
    return Agenda(
        upcoming=upcoming_items,
        overdue=overdue_items,
        overdue_total=_total(session, overdue_items, limit, *overdue),
        upcoming_total=_total(session, upcoming_items, limit, *upcoming),
    )


def _total(session: Session, items: list[AgendaItem], limit: int, *where: Any) -> int:
    """How many tasks the list has in all: counted by the database only when the list was
    cut at ``limit`` (a short list is all there is, in the same transaction)."""
    if len(items) < limit:
        return len(items)
    return (
        session.scalar(
            select(func.count())
            .select_from(Task)
            .join(Activity, Activity.id == Task.activity_id)
            .where(*where)
        )
        or 0
    )


def _items(
    session: Session,
    registry: ActivityRegistry,
    limit: int,
    in_full: ColumnElement[bool],
    *where: Any,
) -> list[AgendaItem]:
    query = (
        task_rows(
            Task.id,
            Task.scheduled_on,
            Task.due_on,
            Task.state,
            Task.step,
            Activity.type,
            Child.name,
            SchoolClass.name,
            ASSIGNEE.name,
            in_full,
        )
        .where(*where)
        .order_by(Task.scheduled_on, Activity.type, Task.step, Task.id)
        .limit(limit)
    )
    items = []
    for row in session.execute(query):
        task_id, day, due_on, state, step, type_name, child, class_name, teacher, full = row
        if child is not None and not full:
            child = mask_name(child)
        subject = " ".join(part for part in (class_name, child) if part)
        title = _title(registry, type_name, step)
        items.append(AgendaItem(task_id, day, due_on, state, title, subject, teacher or ""))
    return items


def _title(registry: ActivityRegistry, type_name: str, step_name: str) -> Label:
    if type_name not in registry:
        return Label(f"{type_name}: {step_name}", f"{type_name}: {step_name}")
    activity_type = registry.get(type_name)
    step = activity_type.step(step_name)
    return Label(
        f"{activity_type.title.zh}：{step.title.zh}", f"{activity_type.title.en}: {step.title.en}"
    )
