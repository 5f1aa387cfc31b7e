"""Pairings (结对帮扶): auto-pairing a school (previewed first), changing one child's pairing,
listing them.

Only the coordinator changes pairings (and previews them). Anyone with an account may list
them, but a child's name shows only to those who may see the child's record in full; everyone
else sees it masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import aliased

from guanai.core.access import sees_in_full
from guanai.core.masking import mask_name
from guanai.core.models import Child, Pairing, SchoolClass, Teacher
from guanai.core.pairing import (
    PairingLoad,
    PairingReport,
    auto_pair,
    pairing_loads,
    propose_pairs,
)
from guanai.core.pairing_change import PairingChange, set_pairing
from guanai.core.roster.checks import code
from guanai.core.schools import teacher_by_code
from guanai.service.base import ServiceBase
from guanai.service.scope import school_for


@dataclass(frozen=True)
class PairingRow:
    """One current pairing as the viewer may see it (names masked where they may not)."""

    student_no: str
    name: str
    class_name: str
    teacher_code: str
    teacher_name: str
    buddy_no: str | None  # None for a classmate not on the roster
    buddy_name: str | None
    started_on: date


class PairingActions(ServiceBase):
    """Pairing children with teachers and buddies, and reading the current pairings."""

    def preview_pairing(
        self,
        *,
        school_code: str | None = None,
        max_per_teacher: int | None = None,
        over_cap: bool = False,
    ) -> PairingReport:
        """What :meth:`pair_automatically` would do, each teacher's load before and after,
        written nowhere (``guanai pair --auto`` shows it before it asks)."""
        with self.reading("pair") as (session, viewer):
            return propose_pairs(
                session,
                school_for(session, viewer, school_code),
                cap=self.pairing_cap(max_per_teacher),
                over_cap=over_cap,
            )

    def pair_automatically(
        self,
        *,
        school_code: str | None = None,
        max_per_teacher: int | None = None,
        over_cap: bool = False,
        preview: PairingReport | None = None,
        now: datetime | None = None,
    ) -> PairingReport:
        """Pair every unpaired child of the school, balancing teachers' loads, keeping
        existing pairings and no teacher past the cap unless ``over_cap``
        (``guanai pair --auto``). Given the ``preview`` the user confirmed, nothing is written
        if the school changed since."""
        with self.acting("pair") as (session, viewer):
            return auto_pair(
                session,
                school_for(session, viewer, school_code),
                actor=self.actor,
                now=now or self.now(),
                registry=self.types(session),
                cap=self.pairing_cap(max_per_teacher),
                over_cap=over_cap,
                daily_cap=self.settings.max_tasks_per_teacher_per_day,
                preview=preview,
            )

    def pairing_cap(self, max_per_teacher: int | None = None) -> int:
        """The most children per teacher: ``max_per_teacher`` for one run, or the setting."""
        return max_per_teacher or self.settings.pairing.max_children_per_teacher

    def pairing_loads(self, school_code: str | None = None) -> list[PairingLoad]:
        """Each teacher of the school with their children now and the cap (the dashboard's
        pairing dialog shows them)."""
        with self.reading("pair") as (session, viewer):
            school = school_for(session, viewer, school_code)
            return pairing_loads(session, school, self.pairing_cap())

    def set_pairing(
        self,
        student_no: str,
        teacher_code: str | None = None,
        *,
        buddy_no: str | None = None,
        buddy_name: str | None = None,
        school_code: str | None = None,
        over_cap: bool = False,
        now: datetime | None = None,
        source: str | None = None,
    ) -> PairingChange:
        """Change one child's pairing: the half not named is kept; the old pairing is ended
        and kept in the history, and the child's open pairing-teacher tasks follow. A new
        teacher at the cap is refused unless ``over_cap``. The buddy is a classmate on the
        roster (``buddy_no``) or one who is not (``buddy_name``). Numbers and codes typed
        full-width are read as ASCII, as everywhere."""
        student_no = code(student_no)
        with self.acting("pair") as (session, viewer):
            return set_pairing(
                session,
                school_for(session, viewer, school_code),
                student_no,
                teacher_code=teacher_code and code(teacher_code),
                buddy_student_no=buddy_no and code(buddy_no),
                buddy_name=buddy_name,
                actor=self.actor,
                now=now or self.now(),
                source=source or f"guanai pair {student_no}",
                registry=self.types(session),
                daily_cap=self.settings.max_tasks_per_teacher_per_day,
                cap=self.pairing_cap(),
                over_cap=over_cap,
            )

    def pairings(
        self, school_code: str | None = None, teacher_code: str | None = None
    ) -> list[PairingRow]:
        """The school's current pairings (only ``teacher_code``'s, when given), by class and
        student number."""
        with self.reading("read_pairings") as (session, viewer):
            school = school_for(session, viewer, school_code)
            buddy = aliased(Child, name="buddy")
            query = (
                select(
                    Child.id.label("child_id"),
                    Child.student_no,
                    Child.name,
                    SchoolClass.name.label("class_name"),
                    Teacher.code.label("teacher_code"),
                    Teacher.name.label("teacher_name"),
                    buddy.id.label("buddy_id"),
                    buddy.student_no.label("buddy_no"),
                    buddy.name.label("buddy_name"),
                    Pairing.buddy_name.label("classmate_name"),
                    Pairing.started_on,
                )
                .select_from(Pairing)
                .join(Child, Child.id == Pairing.child_id)
                .join(SchoolClass, SchoolClass.id == Child.class_id)
                .join(Teacher, Teacher.id == Pairing.teacher_id)
                .outerjoin(buddy, buddy.id == Pairing.buddy_child_id)
                .where(Child.school_id == school, Pairing.ended_on.is_(None))
                .order_by(SchoolClass.grade, SchoolClass.name, Child.student_no)
            )
            if teacher_code is not None:
                teacher = teacher_by_code(session, school, teacher_code)
                query = query.where(Pairing.teacher_id == teacher.id)
            visible = set(
                session.scalars(
                    select(Child.id).where(Child.school_id == school, sees_in_full(viewer))
                )
            )

            def shown(child_id: int, name: str) -> str:
                return name if child_id in visible else mask_name(name)

            def buddy(row: Row[Any]) -> str | None:
                """A roster buddy's name, or a classmate's not on the roster (seen as the
                paired child is)."""
                if row.buddy_id is not None:
                    return shown(row.buddy_id, row.buddy_name)
                if row.classmate_name is not None:
                    return shown(row.child_id, row.classmate_name)
                return None

            return [
                PairingRow(
                    student_no=row.student_no,
                    name=shown(row.child_id, row.name),
                    class_name=row.class_name,
                    teacher_code=row.teacher_code,
                    teacher_name=row.teacher_name,
                    buddy_no=row.buddy_no,
                    buddy_name=buddy(row),
                    started_on=row.started_on,
                )
                for row in session.execute(query)
            ]
