"""What is on someone's plate: the agenda, narrowed to what the account may see.

A teacher or head teacher sees only their own tasks; a coordinator their school's (any
teacher's); the bureau a school's agenda with children's names masked. Everyone sees masked
the names of children they may not see in full, masked in the agenda's own query.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from guanai.core.access import AccessError, Viewer, sees_in_full
from guanai.core.agenda import LIMIT, Agenda, agenda
from guanai.core.i18n import Label
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
            return agenda(
                session,
                self.types(session),
                school_id=school,
                start=start or self.now().astimezone(SCHOOL_TIMEZONE).date(),
                days=days,
                teacher_id=_whose(session, viewer, school, teacher_code),
                limit=limit,
                in_full=sees_in_full(viewer),
            )
