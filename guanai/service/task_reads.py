"""Tasks as plain dataclasses, masked for the account that reads them.

A teacher or head teacher reads only their own tasks; a coordinator their school's; the
bureau a school's, with children's names masked. Everyone reads masked the names of the
children they may not see in full (:func:`guanai.core.access.sees_in_full`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case

from guanai.core.access import sees_in_full
from guanai.core.masking import mask_name
from guanai.core.models import Activity, Child, SchoolClass, Task
from guanai.core.task_detail import TaskDetail, task_detail
from guanai.core.task_rows import ASSIGNEE, task_rows
from guanai.service.agenda_reads import _whose
from guanai.service.base import ServiceBase
from guanai.service.scope import school_for


@dataclass(frozen=True)
class TaskView:
    """One task as a plugin reads it: plain values, safe to keep after the session closes.

    ``subject`` is the task's identity within its activity and step (``s``, ``c<id>``,
    ``k<id>``); ``child_name`` is masked (张*) for a reader who may not see the child in full.
    """

    id: int
    activity_type: str
    activity_key: str
    step: str
    subject: str
    child_name: str | None
    class_name: str | None
    assignee_code: str | None
    scheduled_on: date
    due_on: date
    state: str


class TaskReads(ServiceBase):
    """Reading tasks: what a command or panel plugin lists."""

    def tasks(
        self,
        activity_type: str | None = None,
        step: str | None = None,
        state: str | None = None,
        teacher_code: str | None = None,
        school_code: str | None = None,
    ) -> list[TaskView]:
        """Every term's tasks at the account's school (or ``school_code``'s), by date;
        optionally only of a type, a step, a state or a teacher (a teacher: always their
        own)."""
        with self.reading("read_tasks") as (session, viewer):
            school = school_for(session, viewer, school_code)
            teacher = _whose(session, viewer, school, teacher_code)
            query = (
                task_rows(
                    Task.id,
                    Activity.type,
                    Activity.key,
                    Task.step,
                    Task.subject,
                    Child.name,
                    case((sees_in_full(viewer), True), else_=False),
                    SchoolClass.name,
                    ASSIGNEE.code,
                    Task.scheduled_on,
                    Task.due_on,
                    Task.state,
                )
                .where(Activity.school_id == school)
                .order_by(Task.scheduled_on, Task.id)
            )
            for column, wanted in (
                (Activity.type, activity_type),
                (Task.step, step),
                (Task.state, state),
                (Task.assignee_id, teacher),
            ):
                if wanted is not None:
                    query = query.where(column == wanted)
            return [
                TaskView(
                    id_,
                    type_,
                    key,
                    step_,
                    subject,
                    child if child is None or full else mask_name(child),
                    class_name,
                    code,
                    scheduled,
                    due,
                    state_,
                )
                for (
                    id_,
                    type_,
                    key,
                    step_,
                    subject,
                    child,
                    full,
                    class_name,
                    code,
                    scheduled,
                    due,
                    state_,
                ) in session.execute(query)
            ]

    def task(self, task_id: int) -> TaskDetail:
        """Task ``task_id`` with its step's fields and its record (``guanai task show``): a
        teacher's own, or one of the account's school; names and private fields as the
        account may see them."""
        with self.reading("read_tasks") as (session, viewer):
            return task_detail(session, viewer, self.types(session), task_id)
