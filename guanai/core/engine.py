"""The workflow engine: ``plan`` (in planner.py), ``tick`` and ``complete``.

``tick(now)`` is a handful of set-based statements over indexed columns: tasks move
pending → due → overdue → escalated by their dates, and reminders are queued in the outbox
(guanai.core.reminders.compose) under unique keys, so re-running a tick never queues one
twice. On PostgreSQL a transaction-scoped advisory lock lets one tick run at a time, so
daemons sharing a database take turns instead of racing. Time is always passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Update, select, text, update
from sqlalchemy.orm import Session

from guanai.core.activity import RecordDates, RecordProblems
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.config import Settings
from guanai.core.errors import NotFoundError, PluginError, RecordError
from guanai.core.i18n import Label
from guanai.core.models import (
    Activity,
    AuditEvent,
    Record,
    Task,
    TaskState,
    Term,
)
from guanai.core.planner import PlanSummary, plan_term
from guanai.core.record_days import (
    DAY_OFF_MARK,
    confirm_days_off,
    term_calendar,
    window_opens,
)
from guanai.core.reminders.compose import (
    queue_digests,
    queue_escalations,
    queue_weekly_summaries,
)
from guanai.core.stages import waiting, waiting_reason

__all__ = ["Completion", "PlanSummary", "TickReport", "complete", "plan_term", "tick"]

FINISHED = (TaskState.DONE.value, TaskState.CANCELLED.value)


@dataclass
class TickReport:
    now: datetime
    became_due: int = 0
    became_overdue: int = 0
    escalated: int = 0
    reminders_queued: int = 0


TICK_LOCK = 0x6775_616E  # "guan": the advisory lock key of tick on PostgreSQL


def _move(term_id: int, state: TaskState, to: TaskState, *conditions: Any) -> Update:
    """The UPDATE moving a term's tasks from ``state`` to ``to`` where ``conditions`` hold."""
    in_term = select(Activity.id).where(Activity.term_id == term_id)
    return (
        update(Task)
        .where(Task.activity_id.in_(in_term), Task.state == state.value, *conditions)
        .values(state=to.value)
        .execution_options(synchronize_session=False)
    )


def _count(session: Session, statement: Update) -> int:
    return session.execute(statement).rowcount  # type: ignore[attr-defined, no-any-return]


def tick(
    session: Session, now: datetime, registry: ActivityRegistry, settings: Settings
) -> TickReport:
    """Move every term's tasks to the state their dates call for and queue due reminders."""
    if now.tzinfo is None:
        raise ValueError("tick needs a timezone-aware time")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TICK_LOCK})
    report = TickReport(now)
    for term in session.scalars(select(Term).order_by(Term.id)).all():
        local = now.astimezone(ZoneInfo(term.timezone))
        today = local.date()
        report.became_due += _count(
            session,
            _move(
                term.id, TaskState.PENDING, TaskState.DUE, Task.scheduled_on <= today, ~waiting()
            ),
        )
        report.became_overdue += _count(
            session, _move(term.id, TaskState.DUE, TaskState.OVERDUE, Task.due_on < today)
        )
        overdue_too_long = Task.due_on < today - timedelta(days=settings.escalate_after_days)
        escalate = _move(term.id, TaskState.OVERDUE, TaskState.ESCALATED, overdue_too_long)
        # the ids, for the escalation message queued in this same transaction
        escalated = list(session.scalars(escalate.returning(Task.id)))
        report.escalated += len(escalated)
        report.reminders_queued += queue_escalations(
            session, term, escalated, now, today, registry, settings
        )
        calendar = term_calendar(term)
        if not term.starts_on <= today <= calendar.duty_ends_on:
            continue
        reminders = settings.reminders
        if calendar.is_duty_day(today) and local.time() >= reminders.digest_at():
            report.reminders_queued += queue_digests(session, term, today, now, registry, settings)
        weekday = today.isoweekday()
        if weekday > reminders.weekly_summary_day or (
            weekday == reminders.weekly_summary_day and local.time() >= reminders.weekly_at()
        ):
            report.reminders_queued += queue_weekly_summaries(session, term, today, now, settings)
    return report


@dataclass(frozen=True)
class Completion:
    task_id: int
    activity_type: str
    step: str


def complete(
    session: Session,
    registry: ActivityRegistry,
    task_id: int,
    data: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    day_off_ok: bool = False,
) -> Completion:
    """Validate ``data`` as the step's record, mark the task done and audit who did it.

    ``data`` names the fields by key or label; every problem is reported at once
    (:class:`guanai.core.activity.RecordProblems`). The record's dates lie from the day the
    task's window opens to today (``now`` in the term's time zone); one on a day off is kept
    only with ``day_off_ok``, and marked (guanai.core.record_days).
    """
    task = session.get(Task, task_id, with_for_update=True)
    if task is None:
        raise NotFoundError(Label(f"没有编号为 {task_id} 的任务", f"no task with id {task_id}"))
    activity = session.get_one(Activity, task.activity_id)
    if task.state in FINISHED:
        state = (
            Label("已完成", "already done")
            if task.state == TaskState.DONE
            else Label("已取消", "cancelled")
        )
        raise RecordError(Label(f"任务 {task_id} {state.zh}", f"task {task_id} is {state.en}"))
    if activity.type not in registry:
        raise PluginError(
            Label(
                f"任务 {task_id} 的活动类型 {activity.type} 未安装",
                f"task {task_id}: activity type {activity.type} is not installed",
            )
        )
    step = registry.get(activity.type).step(task.step)
    term = session.get_one(Term, activity.term_id)
    today = now.astimezone(ZoneInfo(term.timezone)).date()
    waits = waiting_reason(session, registry, task)
    if waits is not None:
        raise RecordError(waits)
    calendar = term_calendar(term)
    opens = window_opens(calendar, activity, step, task)
    try:
        record = step.validate_record(
            data, RecordDates.of_task(opens, calendar.duty_ends_on, today)
        )
    except RecordProblems as problems:
        raise problems.within(Label(f"任务 {task_id}：", f"task {task_id}: ")) from None
    record = confirm_days_off(step, record, calendar, day_off_ok)
    task.state = TaskState.DONE.value
    task.completed_at, task.completed_by = now, actor
    task.changed_at = now  # what a feed shows of it changed: its version must move
    session.flush()  # done before its record: the database refuses a record of an open task
    session.add(Record(task_id=task.id, data=record, recorded_by=actor, recorded_at=now))
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action="complete",
            entity="task",
            entity_id=task.id,
            detail={
                "activity": activity.key,
                "step": step.name,
                "fields": sorted(f.name for f in step.record if record[f.name] is not None),
                **({DAY_OFF_MARK: record[DAY_OFF_MARK]} if DAY_OFF_MARK in record else {}),
            },
        )
    )
    session.flush()
    return Completion(task.id, activity.type, step.name)
