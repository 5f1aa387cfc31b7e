"""One task as ``guanai task show`` prints it: what it is, whose, when, its fields and record.

The reader may see it as the access rule says: a teacher or head teacher only a task
assigned to them, a coordinator or the bureau a task of their school. The child's name is
masked (张*) and a record's private fields hidden for a reader who may not see the child in
full (:func:`guanai.core.access.sees_in_full`), as on the dashboard's child card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case
from sqlalchemy.orm import Session

from guanai.core.access import AccessError, Viewer, require_school, sees_in_full
from guanai.core.activity import Field, Step
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.dashboard_data.child_tasks import STATES, record_lines
from guanai.core.errors import NotFoundError, PluginError
from guanai.core.i18n import Label
from guanai.core.masking import mask_name
from guanai.core.models import Activity, Child, Record, SchoolClass, Task, Term
from guanai.core.record_days import term_calendar, window_opens
from guanai.core.task_rows import ASSIGNEE, task_rows

TEACHERS = ("head_teacher", "teacher")


@dataclass(frozen=True)
class TaskDetail:
    id: int
    activity_title: Label
    activity_key: str
    step_title: Label
    child_name: str | None  # masked unless the reader sees the child in full
    class_name: str | None
    assignee: str | None  # "王老师 (T01)"
    opens_on: date  # the first day the task may be done (recorded)
    scheduled_on: date
    due_on: date
    state: Label
    fields: tuple[Field, ...]
    record: list[tuple[Label, Label]]  # as shown to this reader; empty until done
    recorded_by: str | None
    recorded_at: datetime | None


def _assigned(viewer: Viewer, task: Task) -> bool:
    return viewer.teacher_id is not None and task.assignee_id == viewer.teacher_id


def task_detail(
    session: Session, viewer: Viewer, registry: ActivityRegistry, task_id: int
) -> TaskDetail:
    """Task ``task_id`` as ``viewer`` may see it; :class:`NotFoundError` if there is none."""
    row = session.execute(
        task_rows(
            Task,
            Activity,
            Child.name,
            case((sees_in_full(viewer), True), else_=False),
            SchoolClass.name,
            ASSIGNEE.name,
            ASSIGNEE.code,
            Record,
        )
        .outerjoin(Record, Record.task_id == Task.id)
        .where(Task.id == task_id)
    ).one_or_none()
    if row is None:
        raise NotFoundError(Label(f"没有编号为 {task_id} 的任务", f"no task with id {task_id}"))
    task, activity, child, full, class_name, teacher, code, record = row
    require_school(viewer, activity.school_id)
    if viewer.role in TEACHERS and task.assignee_id != viewer.teacher_id:
        raise AccessError(
            Label(
                f"用户 {viewer.name} 只能查看分配给自己的任务，任务 {task_id} 不是",
                f"user {viewer.name} may see only their own tasks; task {task_id} is not one",
            )
        )
    if activity.type not in registry:
        raise PluginError(
            Label(
                f"任务 {task_id} 的活动类型 {activity.type} 未安装",
                f"task {task_id}: activity type {activity.type} is not installed",
            )
        )
    kind = registry.get(activity.type)
    step: Step = kind.step(task.step)
    term = session.get_one(Term, activity.term_id)
    return TaskDetail(
        task.id,
        kind.title,
        activity.key,
        step.title,
        child if child is None or full else mask_name(child),
        class_name,
        f"{teacher} ({code})" if teacher else None,
        window_opens(term_calendar(term), activity, step, task),
        task.scheduled_on,
        task.due_on,
        STATES.get(task.state, Label(task.state, task.state)),
        step.record,
        # the record's private fields: to who sees the child in full, and to its assignee (a
        # counsellor, who wrote it, sees the session without being the child's teacher)
        record_lines(step.record, record.data, bool(full) or _assigned(viewer, task))
        if record
        else [],
        record.recorded_by if record else None,
        record.recorded_at if record else None,
    )
