"""The tasks of one activity type in the coordinator's term, a window at a time.

The Term panel's workflows view has one row per activity type; this lists that type's tasks
(every occurrence in the term, e.g. each month's talks) with whom or what each is for, who
does it and where it stands. Rows are ordered open first, then by stage, by the step's place
in its activity type, by due date and id: a key that is unique, so a window starts after the
key of the last row shown (keyset, no OFFSET to skip). A large school's talks run to tens of
thousands of tasks a term: the database sorts them and returns one window (``LIMIT``), the
counts are aggregates, and nothing reads the whole workflow into memory.

A child's name is shown in clear only to a viewer who sees that child in full
(:func:`guanai.core.access.sees_in_full`); everyone else sees it masked (张*).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, false, func, literal, select, tuple_
from sqlalchemy.orm import Session

from guanai.core.access import Viewer, require_may_record, sees_in_full
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.dashboard_data import Scope
from guanai.core.dashboard_data.child_tasks import STATES
from guanai.core.i18n import Label
from guanai.core.masking import mask_name
from guanai.core.models import (
    OPEN_STATES,
    Activity,
    Child,
    School,
    SchoolClass,
    Task,
    TaskState,
)
from guanai.core.stages import waiting, waiting_reason
from guanai.core.task_rows import ASSIGNEE, task_rows

WINDOW = 200
OPEN = tuple(state.value for state in OPEN_STATES)

TaskKey = tuple[int, int, int, date, int]
"""A row's place: (finished, stage, step's place in its type, due date, task id)."""


@dataclass(frozen=True)
class ActivityTask:
    task_id: int
    activity_type: str
    step: str
    step_title: Label
    subject: str  # the school's or the class's name, or the child's (masked unless in full)
    assignee: str | None
    scheduled_on: date
    due_on: date
    state: str
    waiting: bool  # an earlier stage of the same activity and subject is not finished
    key: TaskKey

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    @property
    def state_label(self) -> Label:
        return STATES.get(self.state, Label(self.state, self.state))


@dataclass(frozen=True)
class TaskWindow:
    rows: list[ActivityTask]
    total: int  # every task of the type in the term, cancelled ones included
    open: int
    has_next: bool


def _step_titles(registry: ActivityRegistry, activity_type: str) -> dict[str, Label]:
    """The type's steps in their declared order (empty for a type no plugin installs)."""
    if activity_type not in registry:
        return {}
    return {step.name: step.title for step in registry.get(activity_type).steps}


def _in_scope(scope: Scope, activity_type: str) -> tuple[ColumnElement[bool], ...]:
    """Conditions on :class:`Activity`: the type's live activities at the school this term."""
    return (
        Activity.school_id == scope.school_id,
        Activity.term_id == scope.term_id,
        Activity.type == activity_type,
        Activity.cancelled == false(),
    )


def activity_tasks(
    session: Session,
    viewer: Viewer,
    registry: ActivityRegistry,
    scope: Scope,
    activity_type: str,
    *,
    open_only: bool = True,
    after: TaskKey | None = None,
    size: int = WINDOW,
) -> TaskWindow:
    """The ``size`` tasks after ``after`` (the first window without it), and the counts."""
    titles = _step_titles(registry, activity_type)
    finished = case((Task.state.in_(OPEN), 0), else_=1).label("finished")
    place = (
        case({name: n for n, name in enumerate(titles)}, value=Task.step, else_=len(titles))
        if titles
        else literal(0)
    ).label("place")
    order = (finished, Task.stage, place, Task.due_on, Task.id)
    total, open_ = session.execute(
        select(func.count(Task.id), func.sum(case((Task.state.in_(OPEN), 1), else_=0)))
        .join(Activity, Activity.id == Task.activity_id)
        .where(*_in_scope(scope, activity_type))
    ).one()
    query = (
        task_rows(
            Task.id,
            Activity.type,
            Task.step,
            Task.child_id,
            Child.name.label("child_name"),
            SchoolClass.name.label("class_name"),
            School.name.label("school_name"),
            sees_in_full(viewer).label("full"),
            ASSIGNEE.name.label("assignee"),
            Task.scheduled_on,
            Task.due_on,
            Task.state,
            waiting().label("waiting"),
            finished,
            Task.stage,
            place,
        )
        .join(School, School.id == Activity.school_id)
        .where(*_in_scope(scope, activity_type))
    )
    if open_only:
        query = query.where(Task.state.in_(OPEN))
    if after is not None:
        query = query.where(tuple_(*order) > tuple_(*after))
    found = session.execute(query.order_by(*order).limit(size + 1)).all()
    rows = [_row(row, titles) for row in found[:size]]
    return TaskWindow(rows, total, int(open_ or 0), len(found) > size)


def _row(row: Any, titles: dict[str, Label]) -> ActivityTask:
    if row.child_id is not None:
        subject = row.child_name if row.full else mask_name(row.child_name)
    else:
        subject = row.class_name or row.school_name
    return ActivityTask(
        row.id,
        row.type,
        row.step,
        titles.get(row.step, Label(row.step, row.step)),
        subject,
        row.assignee,
        row.scheduled_on,
        row.due_on,
        row.state,
        bool(row.waiting),
        (row.finished, row.stage, row.place, row.due_on, row.id),
    )


def refusal(
    session: Session, viewer: Viewer, registry: ActivityRegistry, task_id: int
) -> Label | None:
    """Why ``viewer`` may not complete the task now, or None: read fresh, as the engine will.

    Raises :class:`~guanai.core.access.AccessError` for a user who may not record this task.
    The engine refuses the same tasks when the record is saved; asking first spares the user
    filling in a form that cannot be saved.
    """
    require_may_record(session, viewer, task_id)
    task = session.get(Task, task_id)
    if task is None:
        return Label(f"没有编号为 {task_id} 的任务", f"no task with id {task_id}")
    if task.state == TaskState.DONE:
        return Label(f"任务 {task_id} 已完成", f"task {task_id} is already done")
    if task.state == TaskState.CANCELLED:
        return Label(f"任务 {task_id} 已取消", f"task {task_id} is cancelled")
    return waiting_reason(session, registry, task)
