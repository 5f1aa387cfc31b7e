"""Today: what is due and overdue, by teacher or by class, and the term's next events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, case, false, func, or_, select
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.dashboard_data import Scope
from guanai.core.i18n import Label
from guanai.core.models import OPEN_STATES, Activity, SchoolClass, Task, TaskState, Teacher

Grouping = Literal["teacher", "class"]
UNASSIGNED = Label("（未分配）", "(unassigned)")
SCHOOL_WIDE = Label("（全校）", "(school-wide)")


@dataclass(frozen=True)
class Workload:
    """Open tasks of one teacher or one class; ``week`` counts those scheduled within 7 days."""

    name: str
    due: int
    overdue: int
    escalated: int
    week: int


@dataclass(frozen=True)
class Totals:
    due: int
    overdue: int
    escalated: int
    week: int


@dataclass(frozen=True)
class Event:
    starts_on: date
    ends_on: date
    title: Label


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _columns(today: date) -> list[ColumnElement[int]]:
    soon = (Task.state == TaskState.PENDING.value) & (Task.scheduled_on < today + timedelta(7))
    return [
        _count(Task.state == TaskState.DUE.value),
        _count(Task.state == TaskState.OVERDUE.value),
        _count(Task.state == TaskState.ESCALATED.value),
        _count(soon),
    ]


def _open_tasks(scope: Scope) -> list[ColumnElement[bool]]:
    return [
        Activity.school_id == scope.school_id,
        Activity.term_id == scope.term_id,
        Activity.cancelled == false(),
        Task.state.in_([s.value for s in OPEN_STATES]),
    ]


def totals(session: Session, scope: Scope) -> Totals:
    row = session.execute(
        select(*_columns(scope.today))
        .select_from(Task)
        .join(Activity, Activity.id == Task.activity_id)
        .where(*_open_tasks(scope))
    ).one()
    return Totals(*(int(n) for n in row))


def workload(session: Session, scope: Scope, by: Grouping, limit: int = 60) -> list[Workload]:
    """Who (or which class) has the most late work first; rows with nothing to do are left out."""
    if by == "teacher":
        key, name, join = Task.assignee_id, Teacher.name, Teacher.id == Task.assignee_id
        outer, none = Teacher, UNASSIGNED
    else:
        key, name, join = Task.class_id, SchoolClass.name, SchoolClass.id == Task.class_id
        outer, none = SchoolClass, SCHOOL_WIDE
    due, overdue, escalated, week = _columns(scope.today)
    query = (
        select(name, due, overdue, escalated, week)
        .select_from(Task)
        .join(Activity, Activity.id == Task.activity_id)
        .outerjoin(outer, join)
        .where(
            *_open_tasks(scope),
            or_(
                Task.state != TaskState.PENDING.value,
                Task.scheduled_on < scope.today + timedelta(7),
            ),
        )
        .group_by(key, name)
        .order_by((overdue + escalated).desc(), due.desc(), week.desc(), name)
        .limit(limit)
    )
    return [
        Workload(n or str(none), int(d), int(o), int(e), int(w))
        for n, d, o, e, w in session.execute(query)
    ]


def next_events(
    session: Session, scope: Scope, registry: ActivityRegistry, limit: int = 8
) -> list[Event]:
    """Activities not yet over, the soonest first (school-wide ones and monthly duties alike)."""
    rows = session.execute(
        select(Activity.starts_on, Activity.ends_on, Activity.type)
        .where(
            Activity.school_id == scope.school_id,
            Activity.term_id == scope.term_id,
            Activity.cancelled == false(),
            Activity.ends_on >= scope.today,
        )
        .order_by(Activity.starts_on, Activity.type)
        .limit(limit)
    )
    return [Event(s, e, type_title(registry, t)) for s, e, t in rows]


def type_title(registry: ActivityRegistry, name: str) -> Label:
    return registry.get(name).title if name in registry else Label(name, name)
