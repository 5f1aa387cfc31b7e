"""Term: the calendar week by week, and where each activity type's workflow stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from sqlalchemy import case, false, func, select
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar
from guanai.core.dashboard_data import Scope
from guanai.core.dashboard_data.today import type_title
from guanai.core.i18n import Label
from guanai.core.models import Activity, Task, TaskState


class DayKind(Enum):
    SCHOOL = "school"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP = "makeup"  # a weekend day worked because a holiday moved (调休)
    OUTSIDE = "outside"  # before the term starts or after it ends


@dataclass(frozen=True)
class Week:
    number: int
    monday: date
    days: tuple[DayKind, ...]  # Monday to Sunday
    notes: tuple[Label, ...]  # holidays, make-up days, periods and activities starting


@dataclass(frozen=True)
class Workflow:
    activity_type: str
    title: Label
    total: int
    done: int
    open: int
    late: int
    next_on: date | None


def _kind(calendar: TermCalendar, day: date, off: set[date], makeup: set[date]) -> DayKind:
    if not calendar.starts_on <= day <= calendar.ends_on:
        return DayKind.OUTSIDE
    if day in makeup:
        return DayKind.MAKEUP
    if day in off:
        return DayKind.HOLIDAY
    return DayKind.SCHOOL if calendar.is_school_day(day) else DayKind.WEEKEND


def weeks(calendar: TermCalendar, starts: dict[date, list[Label]]) -> list[Week]:
    """The term's weeks, Monday first; ``starts`` adds labels on the days activities start."""
    off = {d for h in calendar.holidays for d in h.days()}
    makeup = {w.on for w in calendar.workdays}
    notes: dict[date, list[Label]] = {}
    for holiday in calendar.holidays:
        notes.setdefault(holiday.starts_on, []).append(holiday.name)
    for workday in calendar.workdays:
        notes.setdefault(workday.on, []).append(workday.name)
    for period in calendar.periods.values():
        notes.setdefault(period.starts_on, []).append(period.name)
    for day, labels in starts.items():
        notes.setdefault(day, []).extend(labels)
    monday = calendar.starts_on - timedelta(days=calendar.starts_on.weekday())
    result = []
    while monday <= calendar.ends_on:
        days = [monday + timedelta(days=n) for n in range(7)]
        result.append(
            Week(
                len(result) + 1,
                monday,
                tuple(_kind(calendar, d, off, makeup) for d in days),
                tuple(label for d in days for label in notes.get(d, [])),
            )
        )
        monday += timedelta(days=7)
    return result


def activity_starts(
    session: Session, scope: Scope, registry: ActivityRegistry
) -> dict[date, list[Label]]:
    """The first day of each activity type's occurrences (monthly ones once per month)."""
    rows = session.execute(
        select(Activity.starts_on, Activity.type)
        .where(
            Activity.school_id == scope.school_id,
            Activity.term_id == scope.term_id,
            Activity.cancelled == false(),
        )
        .order_by(Activity.starts_on, Activity.type)
    )
    starts: dict[date, list[Label]] = {}
    for day, name in rows:
        starts.setdefault(day, []).append(type_title(registry, name))
    return starts


def workflows(session: Session, scope: Scope, registry: ActivityRegistry) -> list[Workflow]:
    """Per activity type: tasks planned (not cancelled), done, open, late, next open day."""
    late = (TaskState.OVERDUE.value, TaskState.ESCALATED.value)
    finished = (TaskState.DONE.value, TaskState.CANCELLED.value)
    rows = session.execute(
        select(
            Activity.type,
            func.count(Task.id),
            func.sum(case((Task.state == TaskState.DONE.value, 1), else_=0)),
            func.sum(case((Task.state.notin_(finished), 1), else_=0)),
            func.sum(case((Task.state.in_(late), 1), else_=0)),
            func.min(case((Task.state.notin_(finished), Task.scheduled_on))),
        )
        .join(Activity, Activity.id == Task.activity_id)
        .where(
            Activity.school_id == scope.school_id,
            Activity.term_id == scope.term_id,
            Activity.cancelled == false(),
            Task.state != TaskState.CANCELLED.value,
        )
        .group_by(Activity.type)
        .order_by(func.min(Activity.starts_on), Activity.type)
    )
    return [
        Workflow(
            name, type_title(registry, name), total, int(done), int(open_), int(late_), next_on
        )
        for name, total, done, open_, late_, next_on in rows
    ]
