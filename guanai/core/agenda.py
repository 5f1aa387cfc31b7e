"""What is on someone's plate: open tasks due soon and everything overdue, in day order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from guanai.core.i18n import Label
from guanai.core.models import Activity, Child, SchoolClass, Task, TaskState, Teacher
from guanai.core.pm import ActivityRegistry


@dataclass(frozen=True)
class AgendaItem:
    task_id: int
    day: date
    due_on: date
    state: str
    title: Label
    subject: str
    assignee: str


def agenda(
    session: Session,
    registry: ActivityRegistry,
    *,
    school_id: int,
    start: date,
    days: int,
    teacher_id: int | None = None,
    limit: int = 200,
) -> list[AgendaItem]:
    """Open tasks scheduled from ``start`` for ``days`` days, plus all overdue ones."""
    assignee = aliased(Teacher)
    end = start + timedelta(days=days)
    query = (
        select(
            Task.id,
            Task.scheduled_on,
            Task.due_on,
            Task.state,
            Task.step,
            Activity.type,
            Child.name,
            SchoolClass.name,
            assignee.name,
        )
        .join(Activity, Activity.id == Task.activity_id)
        .outerjoin(Child, Child.id == Task.child_id)
        .outerjoin(SchoolClass, SchoolClass.id == Task.class_id)
        .outerjoin(assignee, assignee.id == Task.assignee_id)
        .where(
            Activity.school_id == school_id,
            or_(
                Task.state.in_([TaskState.OVERDUE.value, TaskState.ESCALATED.value]),
                Task.state.in_([TaskState.PENDING.value, TaskState.DUE.value])
                & (Task.scheduled_on >= start)
                & (Task.scheduled_on < end),
                (Task.state == TaskState.DUE.value) & (Task.scheduled_on < start),
            ),
        )
        .order_by(Task.scheduled_on, Activity.type, Task.step, Task.id)
        .limit(limit)
    )
    if teacher_id is not None:
        query = query.where(Task.assignee_id == teacher_id)
    items = []
    for row in session.execute(query):
        task_id, day, due_on, state, step, type_name, child, class_name, teacher = row
        title = _title(registry, type_name, step)
        subject = " ".join(part for part in (class_name, child) if part)
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
