"""The workflow engine: ``plan`` (in planner.py), ``tick`` and ``complete``.

``tick(now)`` is a handful of set-based statements over indexed columns: tasks move
pending → due → overdue → escalated by their dates, and reminders are queued in the outbox
under a unique key, so re-running a tick never queues one twice. Time is always passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, exists, insert, literal, select, update
from sqlalchemy.orm import Session, aliased

from guanai.core.errors import NotFoundError, PluginError, RecordError
from guanai.core.i18n import Label
from guanai.core.models import (
    Activity,
    AuditEvent,
    OutboxMessage,
    OutboxState,
    Record,
    Task,
    TaskState,
    Term,
    UTCDateTime,
)
from guanai.core.planner import PlanSummary, plan_term
from guanai.core.pm import ActivityRegistry

__all__ = ["PlanSummary", "TickReport", "complete", "plan_term", "tick"]

FINISHED = (TaskState.DONE.value, TaskState.CANCELLED.value)


@dataclass
class TickReport:
    now: datetime
    became_due: int = 0
    became_overdue: int = 0
    escalated: int = 0
    reminders_queued: int = 0


def _move(session: Session, term_id: int, state: TaskState, to: TaskState, *conditions: Any) -> int:
    in_term = select(Activity.id).where(Activity.term_id == term_id)
    result = session.execute(
        update(Task)
        .where(Task.activity_id.in_(in_term), Task.state == state.value, *conditions)
        .values(state=to.value)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount  # type: ignore[attr-defined, no-any-return]


def _waiting() -> Any:
    """True for a task whose earlier-stage steps (same activity and subject) are unfinished."""
    earlier = aliased(Task)
    return exists().where(
        earlier.activity_id == Task.activity_id,
        earlier.subject == Task.subject,
        earlier.stage < Task.stage,
        earlier.state.notin_(FINISHED),
    )


def _queue(
    session: Session,
    now: datetime,
    term_id: int,
    reason: str,
    on: Any,
    recipient: Any,
    *conditions: Any,
) -> int:
    """Queue one reminder per matching task unless its key is already in the outbox."""
    key = literal("task:") + cast(Task.id, String) + literal(f":{reason}:") + cast(on, String)
    rows = (
        select(
            key,
            literal(reason),
            Task.id,
            recipient,
            Activity.school_id,
            literal(now, UTCDateTime()),
            literal(OutboxState.PENDING.value),
            literal(0),
        )
        .join(Activity, Activity.id == Task.activity_id)
        .where(Activity.term_id == term_id, *conditions)
        .where(~exists().where(OutboxMessage.dedupe_key == key))
    )
    columns = [
        "dedupe_key",
        "reason",
        "task_id",
        "recipient_id",
        "school_id",
        "created_at",
        "state",
        "attempts",
    ]
    # preserve_rowcount: without it some drivers (psycopg) report -1 for INSERT ... SELECT.
    result = session.execute(
        insert(OutboxMessage).from_select(columns, rows).execution_options(preserve_rowcount=True)
    )
    return result.rowcount  # type: ignore[attr-defined, no-any-return]


def tick(
    session: Session, now: datetime, registry: ActivityRegistry, *, escalate_after_days: int
) -> TickReport:
    """Move every term's tasks to the state their dates call for and queue due reminders."""
    if now.tzinfo is None:
        raise ValueError("tick needs a timezone-aware time")
    report = TickReport(now)
    for term in session.scalars(select(Term)).all():
        today = now.astimezone(ZoneInfo(term.timezone)).date()
        report.became_due += _move(
            session,
            term.id,
            TaskState.PENDING,
            TaskState.DUE,
            Task.scheduled_on <= today,
            ~_waiting(),
        )
        report.became_overdue += _move(
            session, term.id, TaskState.DUE, TaskState.OVERDUE, Task.due_on < today
        )
        report.escalated += _move(
            session,
            term.id,
            TaskState.OVERDUE,
            TaskState.ESCALATED,
            Task.due_on < today - timedelta(days=escalate_after_days),
        )
        for name in registry:
            for reminder in registry.types[name].reminders:
                of_type = Activity.type == name
                if reminder.days_before == 0:
                    report.reminders_queued += _queue(
                        session,
                        now,
                        term.id,
                        "due",
                        Task.scheduled_on,
                        Task.assignee_id,
                        of_type,
                        Task.state == TaskState.DUE.value,
                    )
                else:
                    report.reminders_queued += _queue(
                        session,
                        now,
                        term.id,
                        f"before{reminder.days_before}",
                        Task.scheduled_on,
                        Task.assignee_id,
                        of_type,
                        Task.state == TaskState.PENDING.value,
                        Task.scheduled_on > today,
                        Task.scheduled_on <= today + timedelta(days=reminder.days_before),
                    )
        report.reminders_queued += _queue(
            session,
            now,
            term.id,
            "overdue",
            Task.due_on,
            Task.assignee_id,
            Task.state == TaskState.OVERDUE.value,
        )
        report.reminders_queued += _queue(
            session,
            now,
            term.id,
            "escalated",
            Task.due_on,
            literal(None),
            Task.state == TaskState.ESCALATED.value,
        )
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
) -> Completion:
    """Validate ``data`` as the step's record, mark the task done and audit who did it."""
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
    earlier = aliased(Task)
    waiting = session.scalars(
        select(earlier.step).where(
            earlier.activity_id == task.activity_id,
            earlier.subject == task.subject,
            earlier.stage < task.stage,
            earlier.state.notin_(FINISHED),
        )
    ).all()
    if waiting:
        raise RecordError(
            Label(
                f"任务 {task_id} 须先完成步骤：{'、'.join(sorted(waiting))}",
                f"task {task_id} waits for step(s): {', '.join(sorted(waiting))}",
            )
        )
    try:
        record = step.validate_record(data)
    except RecordError as error:
        raise RecordError(
            Label(f"任务 {task_id}：{error.label.zh}", f"task {task_id}: {error.label.en}")
        ) from None
    session.add(Record(task_id=task.id, data=record, recorded_by=actor, recorded_at=now))
    task.state = TaskState.DONE.value
    task.completed_at, task.completed_by = now, actor
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
                "fields": sorted(k for k, v in record.items() if v is not None),
            },
        )
    )
    session.flush()
    return Completion(task.id, activity.type, step.name)
