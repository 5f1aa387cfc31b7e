"""Planning, ticking, simulating and recording: the workflow engine's user actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from guanai.core import db
from guanai.core.access import Viewer, require_may_record, require_school
from guanai.core.calendar import TermCalendar
from guanai.core.demo import create_demo_school
from guanai.core.engine import Completion, PlanSummary, TickReport, complete, plan_term, tick
from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.models import Child, School, Teacher
from guanai.core.schools import school_by_code
from guanai.core.simulation import SimulatedDay, simulate
from guanai.service.base import ServiceBase

DEMO_SCHOOL = "DEMO"


@dataclass(frozen=True)
class DemoSchoolReport:
    created: bool
    children: int
    teachers: int


class EngineActions(ServiceBase):
    def _planned_schools(self, session: Session, viewer: Viewer, codes: Sequence[str]) -> list[int]:
        """The schools a plan covers: those named, else the account's own, else all."""
        if codes:
            ids = [school_by_code(session, code).id for code in dict.fromkeys(codes)]
        elif viewer.school_id is not None:
            ids = [viewer.school_id]
        else:
            ids = list(session.scalars(select(School.id).order_by(School.id)))
        for school in ids:
            require_school(viewer, school)
        return ids

    def _plan_in(
        self,
        session: Session,
        viewer: Viewer,
        calendar: TermCalendar,
        now: datetime | None,
        school_codes: Sequence[str],
        progress: Callable[[int, int], None] | None,
    ) -> PlanSummary:
        ids = self._planned_schools(session, viewer, school_codes)
        done = 0

        def advanced(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, len(ids))

        return plan_term(
            session,
            calendar,
            self.types(session),
            actor=self.actor,
            now=now or self.now(),
            max_per_teacher_per_day=self.settings.max_tasks_per_teacher_per_day,
            school_ids=ids,
            progress=advanced,
            stub_month_school_days=self.settings.planning.stub_month_school_days,
        )

    def plan(
        self,
        calendar: TermCalendar | None = None,
        *,
        school_codes: Sequence[str] = (),
        now: datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> PlanSummary:
        """Plan or re-plan ``calendar`` (default: the configured term) for the schools named,
        else the account's school, else every school; then announce ``term_planned``.
        ``progress(done, total)`` is called as schools are planned."""
        calendar = calendar or self.calendar()
        with self.acting("plan") as (session, viewer):
            summary = self._plan_in(session, viewer, calendar, now, school_codes, progress)
        self.announce("term_planned", summary=summary)
        return summary

    def preview_plan(
        self,
        calendar: TermCalendar | None = None,
        *,
        school_codes: Sequence[str] = (),
        now: datetime | None = None,
    ) -> PlanSummary:
        """What :meth:`plan` would change, planned in a transaction that is rolled back."""
        calendar = calendar or self.calendar()
        with self.reading("plan") as (session, viewer):
            return self._plan_in(session, viewer, calendar, now, school_codes, None)

    def tick(self, now: datetime | None = None) -> TickReport:
        """Move tasks to the state their dates call for and queue reminders, then announce
        ``tick_finished``."""
        with self.acting("tick") as (session, _):
            report = tick(session, now or self.now(), self.types(session), self.settings)
        self.announce("tick_finished", report=report)
        return report

    def complete(
        self,
        task_id: int,
        record: dict[str, Any],
        now: datetime | None = None,
        *,
        day_off_ok: bool = False,
    ) -> Completion:
        """Record a task's step (validated, its fields named by key or label; the assignee,
        or a coordinator of its school), then announce ``task_completed``. A date on a day
        off is refused (``guanai.core.record_days.DayOffError``) unless ``day_off_ok``."""
        with self.acting("record") as (session, viewer):
            require_may_record(session, viewer, task_id)
            done = complete(
                session,
                self.types(session),
                task_id,
                record,
                actor=self.actor,
                now=now or self.now(),
                day_off_ok=day_off_ok,
            )
        self.announce(
            "task_completed",
            task_id=done.task_id,
            activity_type=done.activity_type,
            step=done.step,
            actor=self.actor,
        )
        return done

    def simulate(
        self,
        first: date,
        last: date,
        *,
        calendar: TermCalendar | None = None,
        complete_share: float = 0.0,
        seed: int = 2026,
        on_day: Callable[[SimulatedDay], None] | None = None,
    ) -> list[SimulatedDay]:
        """Run the days ``first``..``last`` with a simulated clock: each a tick, and (with
        ``complete_share``) simulated teachers recording that share of their school's due
        work, audited under the acting account. Each day announces ``tick_finished``."""
        if last < first:
            raise GuanaiError(Label("结束日早于开始日", "the last day is before the first"))
        calendar = calendar or self.calendar()
        viewer = self.require("simulate")

        def each_day(day: SimulatedDay) -> None:
            self.announce("tick_finished", report=day.report)
            if on_day is not None:
                on_day(day)

        return simulate(
            self.engine,
            self.registry,
            first=first,
            last=last,
            tz=calendar.tz,
            settings=self.settings,
            actor=self.actor,
            school_id=viewer.school_id,
            complete_share=complete_share,
            seed=seed,
            on_day=each_day,
        )

    def init_database(self) -> str:
        """Create or upgrade the schema (``guanai init``); returns where the database is. A
        database already current is another coordinator's install: only they run it again."""
        try:
            current = db.is_current(self.engine)
        except OperationalError as error:
            raise self.unreachable(error) from None
        if current:
            self.require("init")
        return self.upgrade_database()

    def create_demo_school(self, children: int = 300) -> DemoSchoolReport:
        """The synthetic demo school (invented names), unless it is there already."""
        self.upgrade_database()
        with self.acting("demo") as (session, viewer):
            school = session.scalars(select(School).where(School.code == DEMO_SCHOOL)).first()
            created = school is None
            if not created:
                require_school(viewer, school.id)
            else:
                create_demo_school(session, code=DEMO_SCHOOL, children=children)
            counted = (
                session.scalar(
                    select(func.count())
                    .select_from(model)
                    .join(School)
                    .where(School.code == DEMO_SCHOOL)
                )
                or 0
                for model in (Child, Teacher)
            )
            return DemoSchoolReport(created, *counted)
