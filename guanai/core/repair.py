"""Tasks whose work is recorded but which are not done, and their repair.

Before migration 0006 a re-plan racing completions could write ``pending`` (or ``overdue``,
``escalated``, ``cancelled``) over a task a teacher had just completed: the record stayed, the
task was open again, and completing it again failed on the record's unique task id, so the
task was stuck and would be escalated. The database now refuses such a write (the triggers of
0006) but keeps the tasks that were stuck before it was upgraded. :func:`repair_stuck_tasks`
marks them done as their record says: completed when, and by whom, it was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.orm import Session

from guanai.core.access import Viewer, sees_in_full
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.agenda import _title
from guanai.core.i18n import Label
from guanai.core.masking import mask_name
from guanai.core.models import (
    Activity,
    AuditEvent,
    Child,
    Record,
    School,
    SchoolClass,
    Task,
    TaskState,
)
from guanai.core.task_rows import task_rows

DONE = TaskState.DONE.value


@dataclass(frozen=True)
class StuckTask:
    """A task that has a record but is not done, as the viewer may see it."""

    task_id: int
    title: Label  # the activity and its step, "谈心：班主任谈心"
    subject: str  # the school's or the class's name, or the child's (masked unless in full)
    scheduled_on: date
    state: str  # what it is now: pending, due, overdue, escalated or cancelled
    record_id: int
    recorded_at: datetime
    recorded_by: str


def _stuck() -> ColumnElement[bool]:
    """A condition on :class:`Task`: it has a record and is not done."""
    return (Task.state != DONE) & exists().where(Record.task_id == Task.id)


def _of_record(column: Any) -> Any:
    """``column`` of the record of the task being updated."""
    return select(column).where(Record.task_id == Task.id).scalar_subquery()


def stuck_tasks(
    session: Session,
    viewer: Viewer,
    registry: ActivityRegistry,
    school_id: int,
    *,
    lock: bool = False,
) -> list[StuckTask]:
    """The school's stuck tasks by date, children's names masked unless ``viewer`` sees them
    in full. ``lock``: the tasks are locked until the transaction ends (PostgreSQL's ``FOR
    UPDATE``; a SQLite unit of work holds the write lock already)."""
    query = (
        task_rows(
            Task.id,
            Activity.type,
            Task.step,
            Task.child_id,
            Child.name.label("child_name"),
            sees_in_full(viewer).label("full"),
            SchoolClass.name.label("class_name"),
            School.name.label("school_name"),
            Task.scheduled_on,
            Task.state,
            Record.id.label("record_id"),
            Record.recorded_at,
            Record.recorded_by,
        )
        .join(Record, Record.task_id == Task.id)
        .join(School, School.id == Activity.school_id)
        .where(Activity.school_id == school_id, Task.state != DONE)
        .order_by(Task.scheduled_on, Task.id)
    )
    if lock:
        query = query.with_for_update(of=Task)
    found = []
    for row in session.execute(query):
        if row.child_id is not None:
            subject = row.child_name if row.full else mask_name(row.child_name)
        else:
            subject = row.class_name or row.school_name
        found.append(
            StuckTask(
                row.id,
                _title(registry, row.type, row.step),
                subject,
                row.scheduled_on,
                row.state,
                row.record_id,
                row.recorded_at,
                row.recorded_by,
            )
        )
    return found


def repair_stuck_tasks(
    session: Session,
    viewer: Viewer,
    registry: ActivityRegistry,
    school_id: int,
    *,
    actor: str,
    now: datetime,
) -> list[StuckTask]:
    """Mark the school's stuck tasks done, completed at ``recorded_at`` by ``recorded_by`` of
    their record, each audited (``repair``) under ``actor``; returns them as they were.

    Their sequence is bumped and their change time set, as for any change a feed follows (a
    cancelled one is back in the teacher's calendar)."""
    repaired = stuck_tasks(session, viewer, registry, school_id, lock=True)
    if not repaired:
        return repaired
    session.execute(
        update(Task)
        .where(
            _stuck(),
            Task.activity_id.in_(select(Activity.id).where(Activity.school_id == school_id)),
        )
        .values(
            state=DONE,
            completed_at=_of_record(Record.recorded_at),
            completed_by=_of_record(Record.recorded_by),
            sequence=Task.sequence + 1,
            changed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.add_all(
        AuditEvent(
            at=now,
            actor=actor,
            action="repair",
            entity="task",
            entity_id=task.task_id,
            detail={"was": task.state, "record": task.record_id},
        )
        for task in repaired
    )
    session.flush()
    return repaired


def stuck_counts(session: Session) -> dict[str, int]:
    """How many stuck tasks each school has, by school code (a school with none is left out):
    what ``guanai init`` tells the operator after an upgrade."""
    rows = session.execute(
        select(School.code, func.count(Task.id))
        .join(Activity, Activity.school_id == School.id)
        .join(Task, Task.activity_id == Activity.id)
        .where(_stuck())
        .group_by(School.code)
        .order_by(School.code)
    )
    return {code: count for code, count in rows}
