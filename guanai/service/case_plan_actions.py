"""Case plans as users act on them: the coordinator opens, revises and closes plans; the
teachers a plan names read it and its children's progress archive.

A teacher reads only the plans naming them; in an archive they read in full the records of
their own checks, and of the other teachers' checks only the fields that are not private (the
date, whether the milestone was reached), as the counselling records are kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.access import AccessError, Viewer, require_school
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.case_plans import (
    ArchiveEntry,
    CasePlanRow,
    CasePlanView,
    PlanChanges,
    close_plan,
    key_children_without_plan,
    open_plan,
    plan_archive,
    plan_school,
    plan_view,
    progress_archive,
    revise_plan,
    school_plans,
)
from guanai.core.errors import NotFoundError
from guanai.core.i18n import Label
from guanai.core.models import Child
from guanai.core.pairing import today_at_school
from guanai.core.roster.checks import code
from guanai.service.base import ServiceBase
from guanai.service.scope import school_for


class CasePlanActions(ServiceBase):
    """Learning-support and individual education plans, their checks and archives."""

    def open_case_plan(
        self,
        kind: str,
        *,
        title: str,
        children: Sequence[str],
        teachers: Sequence[str],
        texts: Mapping[str, str],
        checks: Sequence[date],
        school_code: str | None = None,
        now: datetime | None = None,
    ) -> CasePlanView:
        """Open a plan of ``kind`` (learning | individual); its checks become tasks."""
        request = PlanChanges(
            title, [code(c) for c in children], [code(t) for t in teachers], texts, checks
        )
        with self.acting("manage_case_plans") as (session, viewer):
            school = school_for(session, viewer, school_code)
            plan = open_plan(
                session,
                self.types(session),
                school,
                kind,
                request,
                actor=self.actor,
                now=now or self.now(),
            )
            return plan_view(session, plan)

    def revise_case_plan(
        self,
        plan_id: int,
        changes: PlanChanges,
        *,
        note: str | None = None,
        now: datetime | None = None,
    ) -> CasePlanView:
        """Revise an open plan: a new version, the history kept, its checks brought in line."""
        with self.acting("manage_case_plans") as (session, viewer):
            registry = self._plan_access(session, viewer, plan_id)
            revise_plan(
                session,
                registry,
                plan_id,
                changes,
                note=note,
                actor=self.actor,
                now=now or self.now(),
            )
            return plan_view(session, plan_id)

    def close_case_plan(
        self, plan_id: int, outcome: str, *, now: datetime | None = None
    ) -> CasePlanView:
        """Close an open plan with its outcome; its open checks are cancelled."""
        with self.acting("manage_case_plans") as (session, viewer):
            self._plan_access(session, viewer, plan_id)
            close_plan(session, plan_id, outcome, actor=self.actor, now=now or self.now())
            return plan_view(session, plan_id)

    def case_plan(self, plan_id: int) -> CasePlanView:
        with self.reading("read_case_plans") as (session, viewer):
            self._plan_access(session, viewer, plan_id)
            return plan_view(session, plan_id)

    def case_plans(
        self, school_code: str | None = None, *, kind: str | None = None
    ) -> list[CasePlanRow]:
        """The school's plans; a teacher's list holds only the plans naming them."""
        with self.reading("read_case_plans") as (session, viewer):
            school = school_for(session, viewer, school_code)
            teacher = None if viewer.role == "coordinator" else (viewer.teacher_id or -1)
            return school_plans(
                session, school, today=today_at_school(self.now()), kind=kind, teacher_id=teacher
            )

    def progress_archive(
        self, student_no: str, school_code: str | None = None
    ) -> list[ArchiveEntry]:
        """The child's progress archive (进步档案): the checks of the plans naming the child,
        of the plans the viewer may read."""
        with self.reading("read_case_plans") as (session, viewer):
            school = school_for(session, viewer, school_code)
            child = session.scalar(
                select(Child.id).where(
                    Child.school_id == school, Child.student_no == code(student_no)
                )
            )
            if child is None:
                raise NotFoundError(
                    Label(f"本校没有学号为 {student_no} 的学生", f"no student no. {student_no}")
                )
            entries = progress_archive(session, child)
            if viewer.role == "coordinator":
                return entries
            readable = {
                row.id
                for row in school_plans(
                    session,
                    school,
                    today=today_at_school(self.now()),
                    child_id=child,
                    teacher_id=viewer.teacher_id or -1,
                )
            }
            registry = self.types(session)
            return [
                _as_seen(entry, viewer, registry) for entry in entries if entry.plan_id in readable
            ]

    def case_plan_archive(self, plan_id: int) -> list[ArchiveEntry]:
        """The plan's checks (its reviews), every child's, with their records; a teacher
        reads the other teachers' records without their private fields."""
        with self.reading("read_case_plans") as (session, viewer):
            registry = self._plan_access(session, viewer, plan_id)
            entries = plan_archive(session, plan_id)
            if viewer.role == "coordinator":
                return entries
            return [_as_seen(entry, viewer, registry) for entry in entries]

    def key_children_without_plan(
        self, school_code: str | None = None
    ) -> list[tuple[str, str, str]]:
        """The key assistance targets with no open individual plan: (student no, name, class)."""
        with self.reading("manage_case_plans") as (session, viewer):
            return key_children_without_plan(session, school_for(session, viewer, school_code))

    def _plan_access(self, session: Session, viewer: Viewer, plan_id: int) -> ActivityRegistry:
        """Refuse a plan of another school, or, to a teacher, one not naming them."""
        school, teachers = plan_school(session, plan_id)
        require_school(viewer, school)
        if viewer.role != "coordinator" and viewer.teacher_id not in teachers:
            raise AccessError(
                Label(
                    f"用户 {viewer.name} 无权查看计划 {plan_id}：计划没有指定您",
                    f"user {viewer.name} may not read plan {plan_id}: it does not name you",
                )
            )
        return self.types(session)


def _as_seen(entry: ArchiveEntry, viewer: Viewer, registry: ActivityRegistry) -> ArchiveEntry:
    """Another teacher's check with its private fields left out."""
    if entry.record is None or entry.teacher_id == viewer.teacher_id:
        return entry
    name = registry.case_type(entry.kind)
    private = (
        {f.name for step in registry.get(name).steps for f in step.record if f.private}
        if name is not None
        else set(entry.record)
    )
    record = {key: value for key, value in entry.record.items() if key not in private}
    return replace(entry, record=record)
