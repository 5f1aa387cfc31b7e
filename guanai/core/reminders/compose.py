"""What a tick queues: daily digests, escalations and weekly summaries, one row per channel.

- Each teacher's **daily digest** (overdue, due now, coming this week or within an activity
  type's own reminder lead time) on the term's school days, at the first tick at or after
  ``digest_time``; a teacher with nothing open gets none.
- An **escalation** to the school's coordinators for the tasks a tick moved to escalated,
  queued in the transaction that moved them, so a task escalates and is reported once.
- The coordinators' **weekly summary** (talks held against due, by class) once per ISO week,
  at the first tick at or after ``weekly_summary_day`` and ``weekly_summary_time``.

A :class:`~guanai.core.models.ReminderRound` row marks the digests of a day (or the summary
of a week) composed for a school, so a second tick, or a second daemon, composes nothing.
Each reminder is one outbox row per channel, under a unique key, inserted with ON CONFLICT
DO NOTHING. Children appear only as masked names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.config import Settings
from guanai.core.i18n import Label
from guanai.core.models import (
    Activity,
    Child,
    OutboxMessage,
    OutboxState,
    ReminderRound,
    SchoolClass,
    Task,
    TaskState,
    Teacher,
    Term,
)
from guanai.core.reminders.message import Content, Section
from guanai.core.reminders.summary import weekly_summaries
from guanai.core.reminders.wording import (
    DUE_NOW,
    OVERDUE,
    THIS_WEEK,
    concat,
    day_label,
    task_line,
)
from guanai.core.task_rows import ASSIGNEE, task_rows

DIGEST, ESCALATION, WEEKLY = "digest", "escalation", "weekly"


def _insert_ignoring_duplicates(session: Session, model: type[Any], rows: list[dict]) -> int:
    """Insert ``rows``; a row whose unique key exists already is skipped, not an error."""
    if not rows:
        return 0
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    table = model.__table__
    inserted = connection.execute(
        insert(table).on_conflict_do_nothing().returning(table.c.id), rows
    )
    return len(inserted.all())


def _queue(
    session: Session,
    now: datetime,
    channels: Sequence[str],
    messages: Iterable[tuple[str, int | None, int, Content]],
) -> int:
    """One pending outbox row per (key, recipient, school, content) and channel."""
    rows = [
        {
            "dedupe_key": f"{key}:{channel}",
            "kind": key.split(":", 1)[0],
            "channel": channel,
            "recipient_id": recipient,
            "school_id": school,
            "payload": content.as_payload(),
            "created_at": now,
            "state": OutboxState.PENDING.value,
            "attempts": 0,
        }
        for key, recipient, school, content in messages
        for channel in channels
    ]
    return _insert_ignoring_duplicates(session, OutboxMessage, rows)


def _schools_without_round(session: Session, term: Term, kind: str, occasion: date) -> list[int]:
    done = exists().where(
        ReminderRound.kind == kind,
        ReminderRound.school_id == Activity.school_id,
        ReminderRound.occasion == occasion,
    )
    return list(
        session.scalars(
            select(Activity.school_id).where(Activity.term_id == term.id, ~done).distinct()
        )
    )


def _mark_rounds(
    session: Session, kind: str, schools: Sequence[int], occasion: date, now: datetime
) -> None:
    rows = [
        {"kind": kind, "school_id": s, "occasion": occasion, "created_at": now} for s in schools
    ]
    _insert_ignoring_duplicates(session, ReminderRound, rows)


def _open_tasks(session: Session, term: Term, condition: Any) -> Any:
    return session.execute(
        task_rows(
            Task.id,
            Task.assignee_id,
            Task.state,
            Task.step,
            Task.scheduled_on,
            Task.due_on,
            Activity.type,
            Activity.school_id,
            Child.name,
            SchoolClass.name,
            ASSIGNEE.name,
        )
        .where(Activity.term_id == term.id, condition)
        .order_by(Task.assignee_id, Task.due_on, Task.id)
    ).all()


def _section(heading: Label, lines: list[Label], limit: int) -> Section:
    return Section(heading.format(n=len(lines)), tuple(lines[:limit]), max(0, len(lines) - limit))


def queue_digests(
    session: Session,
    term: Term,
    today: date,
    now: datetime,
    registry: ActivityRegistry,
    settings: Settings,
) -> int:
    """Each teacher's digest for ``today`` in the schools that have none yet."""
    schools = _schools_without_round(session, term, DIGEST, today)
    if not schools:
        return 0
    week_end = today + timedelta(days=7 - today.isoweekday())
    coming = [Task.scheduled_on <= week_end]
    for name in registry:  # an activity type's own reminders may look further ahead
        lead = max((r.days_before for r in registry.types[name].reminders), default=0)
        if today + timedelta(days=lead) > week_end:
            coming.append((Activity.type == name) & (Task.scheduled_on <= today + timedelta(lead)))
    open_late = (TaskState.OVERDUE.value, TaskState.ESCALATED.value)
    condition = and_(
        Activity.school_id.in_(schools),
        Task.assignee_id.is_not(None),
        or_(
            Task.state == TaskState.DUE.value,
            Task.state.in_(open_late),
            and_(Task.state == TaskState.PENDING.value, Task.scheduled_on > today, or_(*coming)),
        ),
    )
    sections: dict[tuple[int, int, str], dict[str, list[Label]]] = defaultdict(
        lambda: {"due": [], "week": [], "late": []}
    )
    for _id, teacher, state, step, first, last, kind, school, child, klass, name in _open_tasks(
        session, term, condition
    ):
        line = task_line(registry, kind, step, child, klass)
        if state == TaskState.DUE.value:
            part, line = "due", concat(line, day_label(last, "by"))
        elif state in open_late:
            part, line = "late", concat(line, day_label(last, "late", today))
        else:
            part, line = "week", concat(line, day_label(first, "on"))
        sections[(school, teacher, name)][part].append(line)
    limit = settings.reminders.digest_lines
    messages = [
        (
            f"{DIGEST}:{today.isoformat()}:t{teacher}",
            teacher,
            school,
            Content(
                Label(
                    f"关爱提醒：{name}老师 {today.month}月{today.day}日的待办",
                    f"Care reminders for {name}, {today:%d %b %Y}",
                ),
                tuple(
                    _section(heading, parts[part], limit)
                    for heading, part in ((OVERDUE, "late"), (DUE_NOW, "due"), (THIS_WEEK, "week"))
                    if parts[part]
                ),
            ),
        )
        for (school, teacher, name), parts in sorted(sections.items())
    ]
    _mark_rounds(session, DIGEST, schools, today, now)
    return _queue(session, now, settings.reminders.channels, messages)


def coordinators(session: Session, schools: Iterable[int]) -> dict[int, list[int | None]]:
    """Each school's coordinators (teacher ids); [None] (the office) where none is named."""
    found: dict[int, list[int | None]] = {school: [] for school in schools}
    query = select(Teacher.school_id, Teacher.id).where(
        Teacher.is_coordinator, Teacher.school_id.in_(list(found))
    )
    for school, teacher in session.execute(query.order_by(Teacher.id)):
        found[school].append(teacher)
    return {school: ids or [None] for school, ids in found.items()}


def queue_escalations(
    session: Session,
    term: Term,
    task_ids: Sequence[int],
    now: datetime,
    today: date,
    registry: ActivityRegistry,
    settings: Settings,
) -> int:
    """One message per school and coordinator listing the tasks this tick escalated."""
    if not task_ids:
        return 0
    by_school: dict[int, list[Label]] = defaultdict(list)
    for chunk in range(0, len(task_ids), 500):
        for _id, _t, _s, step, _f, last, kind, school, child, klass, name in _open_tasks(
            session, term, Task.id.in_(task_ids[chunk : chunk + 500])
        ):
            who = Label(f" · {name or '—'}", f" · {name or '—'}")
            by_school[school].append(
                concat(
                    task_line(registry, kind, step, child, klass),
                    who,
                    day_label(last, "late", today),
                )
            )
    days = settings.escalate_after_days
    limit = settings.reminders.digest_lines
    stamp = now.strftime("%Y%m%dT%H%M%S")
    messages = [
        (
            f"{ESCALATION}:{stamp}:s{school}:r{recipient or 'office'}",
            recipient,
            school,
            Content(
                Label(
                    f"关爱提醒：{len(lines)} 项任务逾期超过 {days} 天",
                    f"Care reminders: {len(lines)} tasks more than {days} days overdue",
                ),
                (_section(Label("逾期任务（{n}）", "Overdue tasks ({n})"), lines, limit),),
            ),
        )
        for school, recipients in coordinators(session, sorted(by_school)).items()
        for recipient in recipients
        for lines in (by_school[school],)
    ]
    return _queue(session, now, settings.reminders.channels, messages)


def queue_weekly_summaries(
    session: Session, term: Term, today: date, now: datetime, settings: Settings
) -> int:
    """The week's summary for the coordinators of schools that have none yet."""
    monday = today - timedelta(days=today.isoweekday() - 1)
    schools = _schools_without_round(session, term, WEEKLY, monday)
    if not schools:
        return 0
    summaries = weekly_summaries(session, term, schools, today)
    messages = [
        (f"{WEEKLY}:{monday.isoformat()}:s{school}:r{recipient or 'office'}", recipient, school, c)
        for school, recipients in coordinators(session, schools).items()
        for recipient in recipients
        for c in (summaries[school],)
    ]
    _mark_rounds(session, WEEKLY, schools, monday, now)
    return _queue(session, now, settings.reminders.channels, messages)
