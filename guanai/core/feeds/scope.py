"""What a feed holds: a subscription's tasks for its term, and (for the school) its calendar.

- a teacher's feed: the tasks assigned to the teacher;
- a class's feed: the tasks of the class and of its children (``Task.class_id``);
- the school's feed: the school-wide tasks (``subject == "s"``), the term's holidays and
  make-up workdays and its named periods.

A done task stays, marked: its summary starts with :data:`DONE_MARK`, and the renderer gives it
``STATUS:CONFIRMED`` and says when in its description. An event's title tells the children of
one teacher apart by their masked name and class; where two events of a feed would still share
a title and a first day, they are numbered (``· 2``) in the order of the child's id, so that a
calendar never shows two identical entries on one day.

Cancelled tasks stay (as STATUS:CANCELLED) while their change is less than
:data:`CANCELLED_KEPT` older than the newest change in the feed, then drop out; measuring from
the newest change rather than the clock keeps the output a function of the data alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from guanai.core.activity import ActivityType
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.masking import mask_name
from guanai.core.models import (
    Activity,
    Child,
    FeedSubscription,
    School,
    SchoolClass,
    Task,
    TaskState,
    Teacher,
    Term,
)
from guanai.core.record_days import term_calendar
from guanai.core.schools import SCHOOL_TIMEZONE, SCHOOL_TIMEZONE_NAME
from guanai.core.task_rows import task_rows

CANCELLED_KEPT = timedelta(days=30)
SCHOOL_SUBJECT = "s"
DONE_MARK = "【已完成】"
TASK_PAGE = "/me/tasks/{task_id}"
"""A task's page on the teacher's phone, under ``[feeds] base_url``: each event's URL."""


@dataclass(frozen=True)
class FeedKey:
    """What a feed's content depends on: two subscriptions with equal keys get equal bytes."""

    scope: str
    school_id: int
    teacher_id: int | None
    class_id: int | None
    term_key: str
    alarms: bool

    @classmethod
    def of(cls, subscription: FeedSubscription) -> FeedKey:
        return cls(
            subscription.scope,
            subscription.school_id,
            subscription.teacher_id,
            subscription.class_id,
            subscription.term_key,
            subscription.alarms,
        )


@dataclass(frozen=True)
class FeedItem:
    """One event of a feed, already free of private data."""

    uid: str
    starts_on: date
    ends_on: date  # inclusive
    summary: str
    sequence: int
    changed_at: datetime | None  # None: a calendar day, stamped with the feed's newest change
    cancelled: bool = False
    done_on: date | None = None  # the school day a done task was recorded
    url: str | None = None  # the task's page, when the server's address is known


@dataclass(frozen=True)
class FeedContent:
    name: str
    timezone: str
    term_starts_on: date
    term_ends_on: date
    newest_change: datetime | None
    items: list[FeedItem]
    alarms: bool


def _term(session: Session, key: FeedKey) -> Term | None:
    return session.scalars(select(Term).where(Term.key == key.term_key)).one_or_none()


def _condition(key: FeedKey, term_id: int) -> ColumnElement[bool]:
    base = (Activity.term_id == term_id) & (Activity.school_id == key.school_id)
    if key.scope == "teacher":
        return base & (Task.assignee_id == key.teacher_id)
    if key.scope == "class":
        return base & (Task.class_id == key.class_id)
    return base & (Task.subject == SCHOOL_SUBJECT)


def newest_change(session: Session, key: FeedKey) -> datetime | None:
    """When the feed's newest task last changed (its Last-Modified); None for no task."""
    term = _term(session, key)
    if term is None:
        return None
    newest = session.execute(
        select(func.max(Task.changed_at))
        .join(Activity, Activity.id == Task.activity_id)
        .where(_condition(key, term.id))
    ).scalar_one()
    if isinstance(newest, datetime) and newest.tzinfo is None:  # max() skips the column type
        newest = newest.replace(tzinfo=UTC)
    return newest


def _name(session: Session, key: FeedKey) -> str:
    if key.scope == "teacher":
        return f"关爱·{session.get(Teacher, key.teacher_id).name}的任务"  # type: ignore[union-attr]
    if key.scope == "class":
        return f"关爱·{session.get(SchoolClass, key.class_id).name}"  # type: ignore[union-attr]
    return f"关爱·{session.get(School, key.school_id).name}"  # type: ignore[union-attr]


def _summary(
    types: dict[str, ActivityType | None], activity_type: str, step: str, subject: str | None
) -> str:
    kind = types.get(activity_type)
    if kind is None:
        return f"{activity_type}: {step}" + (f" · {subject}" if subject else "")
    try:
        return kind.calendar_summary(kind.step(step), subject).zh
    except KeyError:
        return f"{kind.title.zh}: {step}" + (f" · {subject}" if subject else "")


def _calendar_items(term: Term) -> list[FeedItem]:
    calendar = term_calendar(term)
    items = [
        FeedItem(
            f"holiday-{term.key}-{h.starts_on:%Y%m%d}@guanai",
            h.starts_on,
            h.ends_on,
            f"放假: {h.name.zh}",
            0,
            None,
        )
        for h in calendar.holidays
    ]
    items += [
        FeedItem(
            f"workday-{term.key}-{w.on:%Y%m%d}@guanai",
            w.on,
            w.on,
            f"调休上课: {w.name.zh}",
            0,
            None,
        )
        for w in calendar.workdays
    ]
    items += [
        FeedItem(f"period-{term.key}-{p.key}@guanai", p.starts_on, p.ends_on, p.name.zh, 0, None)
        for p in calendar.periods.values()
    ]
    following = calendar.following_break
    if following is not None:
        items.append(
            FeedItem(
                f"break-{term.key}@guanai",
                following.starts_on,
                following.ends_on,
                following.name.zh,
                0,
                None,
            )
        )
    return items


def feed_content(
    session: Session,
    key: FeedKey,
    registry: ActivityRegistry,
    newest: datetime | None,
    base_url: str | None = None,
) -> FeedContent:
    """Everything the renderer needs, masked: children appear only as ``mask_name``. With
    ``base_url`` (``[feeds] base_url``) each task's event links to the task's page."""
    term = _term(session, key)
    name = _name(session, key)
    if term is None:
        return FeedContent(name, SCHOOL_TIMEZONE_NAME, date.min, date.min, None, [], key.alarms)
    types: dict[str, ActivityType | None] = {}
    rows = session.execute(
        task_rows(
            Task.id,
            Task.step,
            Task.scheduled_on,
            Task.due_on,
            Task.state,
            Task.sequence,
            Task.changed_at,
            Task.completed_at,
            Activity.type,
            Child.id,
            Child.name,
            SchoolClass.name,
        ).where(_condition(key, term.id))
    ).all()
    base = base_url.rstrip("/") if base_url else None
    items: list[FeedItem] = []
    order: dict[str, int] = {}
    for row in rows:
        (task_id, step, first, last, state, sequence, changed, completed) = row[:8]
        kind, child_id, child, class_name = row[8:]
        cancelled = state == TaskState.CANCELLED.value
        if cancelled and newest is not None and changed < newest - CANCELLED_KEPT:
            continue
        if kind not in types:
            types[kind] = registry.get(kind) if kind in registry else None
        activity_type = types[kind]
        if activity_type is not None and _is_spread(activity_type, step):
            last = first  # a spread duty (a talk) happens on its day
        subject = f"{mask_name(child)}（{class_name}）" if child else class_name
        done = state == TaskState.DONE.value
        summary = _summary(types, kind, step, subject)
        uid = f"task-{task_id}@guanai"
        order[uid] = child_id or 0
        items.append(
            FeedItem(
                uid,
                first,
                max(first, last),
                DONE_MARK + summary if done else summary,
                sequence,
                changed,
                cancelled,
                completed.astimezone(SCHOOL_TIMEZONE).date() if done and completed else None,
                f"{base}{TASK_PAGE.format(task_id=task_id)}" if base else None,
            )
        )
    if key.scope == "school":
        items += _calendar_items(term)
    items = _numbered(items, order)
    items.sort(key=lambda i: (i.starts_on, i.ends_on, i.uid))
    return FeedContent(name, term.timezone, term.starts_on, term.ends_on, newest, items, key.alarms)


def _numbered(items: list[FeedItem], order: dict[str, int]) -> list[FeedItem]:
    """Number the events that share a title and a first day (· 2, · 3 … after the first, by
    the child's id), so that no two entries of a day look the same."""
    groups: dict[tuple[str, date], list[FeedItem]] = {}
    for item in items:
        groups.setdefault((item.summary.removeprefix(DONE_MARK), item.starts_on), []).append(item)
    numbered: list[FeedItem] = []
    for group in groups.values():
        group.sort(key=lambda i: (order.get(i.uid, 0), i.uid))
        numbered.append(group[0])
        numbered += [replace(i, summary=f"{i.summary} · {n}") for n, i in enumerate(group[1:], 2)]
    return numbered


def _is_spread(activity_type: ActivityType, step: str) -> bool:
    try:
        return activity_type.step(step).spread
    except KeyError:
        return False
