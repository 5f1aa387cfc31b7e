"""What is on someone's plate: the agenda, narrowed to what the account may see.

A teacher or head teacher sees only their own tasks; a coordinator their school's (any
teacher's); the bureau a school's agenda with children's names masked. Everyone sees masked
the names of children they may not see in full.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.access import AccessError, Viewer, sees_in_full
from guanai.core.agenda import LIMIT, Agenda, AgendaItem, agenda
from guanai.core.i18n import Label
from guanai.core.masking import mask_name
from guanai.core.models import Child, SchoolClass, Task
from guanai.core.schools import SCHOOL_TIMEZONE, teacher_by_code
from guanai.service.base import ServiceBase
from guanai.service.scope import school_for

TEACHERS = ("teacher", "head_teacher")


def _whose(session: Session, viewer: Viewer, school: int, code: str | None) -> int | None:
    """The teacher whose tasks are shown: for a teacher always their own, else ``code``'s
    (None: the whole school)."""
    asked = teacher_by_code(session, school, code).id if code is not None else None
    if viewer.role not in TEACHERS:
        return asked
    if viewer.teacher_id is None or asked not in (None, viewer.teacher_id):
        raise AccessError(
            Label(
                f"用户 {viewer.name} 只能查看自己的待办",
                f"user {viewer.name} may only see their own agenda",
            )
        )
    return viewer.teacher_id


def _masked(session: Session, viewer: Viewer, items: list[AgendaItem]) -> list[AgendaItem]:
    """``items`` with the names of children ``viewer`` may not see in full masked."""
    if not items:
        return items
    hidden = {
        task: " ".join(part for part in (class_name, mask_name(name)) if part)
        for task, name, class_name in session.execute(
            select(Task.id, Child.name, SchoolClass.name)
            .join(Child, Child.id == Task.child_id)
            .outerjoin(SchoolClass, SchoolClass.id == Task.class_id)
            .where(Task.id.in_([item.task_id for item in items]), ~sees_in_full(viewer))
        )
    }
    return [
        replace(item, subject=hidden[item.task_id]) if item.task_id in hidden else item
        for item in items
    ]


class AgendaReads(ServiceBase):
    """The agenda of a teacher or a school."""

    def agenda(
        self,
        school_code: str | None = None,
        teacher_code: str | None = None,
        start: date | None = None,
        days: int = 7,
        limit: int = LIMIT,
    ) -> Agenda:
        """Open tasks scheduled from ``start`` (default: today at the school) for ``days``
        days, and the overdue ones: a teacher's own, else ``teacher_code``'s, else the
        school's (the account's own, or ``school_code``). At most ``limit`` of each, with
        the count of each in all."""
        with self.reading("agenda") as (session, viewer):
            school = school_for(session, viewer, school_code)
            plate = agenda(
                session,
                self.registry,
                school_id=school,
                start=start or self.now().astimezone(SCHOOL_TIMEZONE).date(),
                days=days,
                teacher_id=_whose(session, viewer, school, teacher_code),
                limit=limit,
            )
            return replace(
                plate,
                upcoming=_masked(session, viewer, plate.upcoming),
                overdue=_masked(session, viewer, plate.overdue),
            )
