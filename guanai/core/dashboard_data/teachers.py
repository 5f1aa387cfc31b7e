"""Teachers: each teacher's load and talks this month; talks by month and records by class."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, false, func, select
from sqlalchemy.orm import Session

from guanai.core.dashboard_data import Scope
from guanai.core.ledgers.figures import class_figures
from guanai.core.ledgers.scope import Scope as LedgerScope
from guanai.core.ledgers.talks import TALK
from guanai.core.models import (
    OPEN_STATES,
    Activity,
    FeedSubscription,
    Pairing,
    Task,
    TaskState,
    Teacher,
)
from guanai.core.sql_dates import first_of_month

DONE = TaskState.DONE.value
LATE = (TaskState.OVERDUE.value, TaskState.ESCALATED.value)


@dataclass(frozen=True)
class TeacherLoad:
    id: int
    code: str
    name: str
    paired: int
    open: int
    late: int
    talks_due: int  # this month's talks (not cancelled)
    talks_held: int
    feeds: int  # live feed subscriptions


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    total: int


def _sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def teacher_loads(session: Session, scope: Scope, limit: int = 200) -> list[TeacherLoad]:
    """Every teacher of the school (by name, at most ``limit``), with counts from GROUP BYs."""
    month = (Activity.starts_on <= scope.today) & (Activity.ends_on >= scope.today.replace(day=1))
    talk = (Activity.type == TALK) & month & (Task.state != TaskState.CANCELLED.value)
    tasks = (
        select(
            Task.assignee_id.label("teacher_id"),
            _sum(Task.state.in_([s.value for s in OPEN_STATES])).label("open"),
            _sum(Task.state.in_(LATE)).label("late"),
            _sum(talk).label("talks_due"),
            _sum(talk & (Task.state == DONE)).label("talks_held"),
        )
        .join(Activity, Activity.id == Task.activity_id)
        .where(
            Activity.school_id == scope.school_id,
            Activity.term_id == scope.term_id,
            Activity.cancelled == false(),
        )
        .group_by(Task.assignee_id)
        .subquery()
    )
    paired = (
        select(Pairing.teacher_id, func.count().label("n"))
        .where(Pairing.ended_on.is_(None))
        .group_by(Pairing.teacher_id)
        .subquery()
    )
    feeds = (
        select(FeedSubscription.teacher_id, func.count().label("n"))
        .where(FeedSubscription.revoked_at.is_(None), FeedSubscription.scope == "teacher")
        .group_by(FeedSubscription.teacher_id)
        .subquery()
    )
    query = (
        select(
            Teacher.id,
            Teacher.code,
            Teacher.name,
            func.coalesce(paired.c.n, 0),
            func.coalesce(tasks.c.open, 0),
            func.coalesce(tasks.c.late, 0),
            func.coalesce(tasks.c.talks_due, 0),
            func.coalesce(tasks.c.talks_held, 0),
            func.coalesce(feeds.c.n, 0),
        )
        .outerjoin(tasks, tasks.c.teacher_id == Teacher.id)
        .outerjoin(paired, paired.c.teacher_id == Teacher.id)
        .outerjoin(feeds, feeds.c.teacher_id == Teacher.id)
        .where(Teacher.school_id == scope.school_id)
        .order_by(Teacher.code, Teacher.id)
        .limit(limit)
    )
    return [TeacherLoad(*row) for row in session.execute(query)]


def talks_by_month(session: Session, scope: Scope) -> list[tuple[date, int, int]]:
    """(month's first day, talks due, talks held) of each month of the term so far."""
    month = first_of_month(Activity.starts_on)
    rows = session.execute(
        select(month, func.count(Task.id), _sum(Task.state == DONE))
        .join(Activity, Activity.id == Task.activity_id)
        .where(
            and_(
                Activity.school_id == scope.school_id,
                Activity.term_id == scope.term_id,
                Activity.type == TALK,
                Activity.cancelled == false(),
                Activity.starts_on <= scope.today,
                Task.state != TaskState.CANCELLED.value,
            )
        )
        .group_by(month)
        .order_by(month)
    )
    return [(day, int(due), int(held)) for day, due, held in rows]


def records_by_class(session: Session, scope: Scope) -> list[Bar]:
    """Complete records (建档完整, as the ledgers define it) against enrolled, per class."""
    figures = class_figures(session, LedgerScope((scope.school_id,), {}, None))
    return [Bar(f.class_name, f.complete, f.enrolled) for f in figures]


def live_feed_ids(session: Session, scope: Scope, teacher_id: int) -> list[int]:
    """The ids of the teacher's feed subscriptions not yet revoked (in ``scope``'s school)."""
    return list(
        session.scalars(
            select(FeedSubscription.id)
            .join(Teacher, Teacher.id == FeedSubscription.teacher_id)
            .where(
                Teacher.school_id == scope.school_id,
                FeedSubscription.teacher_id == teacher_id,
                FeedSubscription.scope == "teacher",
                FeedSubscription.revoked_at.is_(None),
            )
            .order_by(FeedSubscription.id)
        )
    )
