"""The reads the dashboard's panels show, as plain frozen dataclasses.

Each method is one read of one panel (or of a screen opened from it): its own short session
(rolled back), for an account allowed ``dashboard`` (coordinators), narrowed to the school the
account looks after (:func:`guanai.core.dashboard_data.coordinator_scope`), with children's
names masked where the account may not see them in full. A panel calls one of these in a
worker thread and puts the result on screen; it never opens a session itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from guanai.core.access import Viewer
from guanai.core.activity import Field
from guanai.core.child_card import ChildCard, child_card
from guanai.core.dashboard_data import Scope, coordinator_scope, import_school_code
from guanai.core.dashboard_data.activity_tasks import (
    WINDOW,
    TaskKey,
    TaskWindow,
    activity_tasks,
    refusal,
)
from guanai.core.dashboard_data.child_tasks import ChildTask, child_tasks
from guanai.core.dashboard_data.children import (
    PAGE_SIZE,
    PairingChoices,
    RosterFilter,
    RosterKey,
    RosterPage,
    RosterRow,
    pairing_choices,
    roster_count,
    roster_page,
)
from guanai.core.dashboard_data.reminders import OutboxPage, mark_inbox_read, outbox_page
from guanai.core.dashboard_data.teachers import (
    Bar,
    TeacherLoad,
    live_feed_ids,
    records_by_class,
    talks_by_month,
    teacher_loads,
)
from guanai.core.dashboard_data.term import Week, Workflow, activity_starts, weeks, workflows
from guanai.core.dashboard_data.today import (
    Event,
    Grouping,
    Totals,
    Workload,
    next_events,
    totals,
    workload,
)
from guanai.core.i18n import Label
from guanai.service.base import ServiceBase

READ = "dashboard"


@dataclass(frozen=True)
class TodayView:
    """The Today panel: ``scope`` None when there is no school; ``totals`` None when no term
    is planned."""

    scope: Scope | None
    totals: Totals | None = None
    rows: tuple[Workload, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class TermView:
    """The Term panel: the configured term's calendar by week and where each workflow
    stands."""

    scope: Scope | None
    term_name: Label
    school_days: int
    school_days_passed: int  # up to and including today
    weeks: tuple[Week, ...] = ()
    workflows: tuple[Workflow, ...] = ()


@dataclass(frozen=True)
class MonthTalks:
    month: date  # the month's first day
    due: int
    held: int


@dataclass(frozen=True)
class TeachersView:
    scope: Scope | None
    loads: tuple[TeacherLoad, ...] = ()
    talks: tuple[MonthTalks, ...] = ()
    records: tuple[Bar, ...] = ()  # complete records against enrolled, per class


@dataclass(frozen=True)
class RemindersView:
    scope: Scope | None
    page: OutboxPage | None = None


@dataclass(frozen=True)
class ChildView:
    """A child's card, with every task and the records shown to this account."""

    card: ChildCard
    tasks: tuple[ChildTask, ...]


@dataclass(frozen=True)
class RecordFormSpec:
    """What a step's record form asks for: the titles and the fields in their order."""

    activity_title: Label
    step_title: Label
    fields: tuple[Field, ...]


class PanelReads(ServiceBase):
    """What the dashboard panels read: one method each, coordinators only."""

    def _scope(self, session: Session, viewer: Viewer) -> Scope | None:
        return coordinator_scope(session, viewer, self.now().date())

    def dashboard_scope(self) -> Scope | None:
        """The school and term the dashboard shows (None: no school yet)."""
        with self.reading(READ) as (session, viewer):
            return self._scope(session, viewer)

    def today_view(self, grouping: Grouping = "teacher") -> TodayView:
        """What is due and late, by teacher or by class, and the term's next events."""
        with self.reading(READ) as (session, viewer):
            scope = self._scope(session, viewer)
            if scope is None or scope.term_id is None:
                return TodayView(scope)
            return TodayView(
                scope,
                totals(session, scope),
                tuple(workload(session, scope, grouping)),
                tuple(next_events(session, scope, self.types(session))),
            )

    def term_view(self) -> TermView:
        """The configured term's weeks (holidays, make-up days, activities starting) and its
        workflows."""
        calendar = self.calendar()
        today = self.now().date()
        days = calendar.school_days()
        with self.reading(READ) as (session, viewer):
            scope = self._scope(session, viewer)
            planned = scope is not None and scope.term_id is not None
            starts = activity_starts(session, scope, self.types(session)) if planned else {}
            flows = workflows(session, scope, self.types(session)) if planned else []
        return TermView(
            scope,
            calendar.name,
            len(days),
            sum(1 for day in days if day <= today),
            tuple(weeks(calendar, starts)),
            tuple(flows),
        )

    def workflow_tasks(
        self, activity_type: str, *, open_only: bool = True, after: TaskKey | None = None
    ) -> TaskWindow | None:
        """A window of :data:`WINDOW` tasks of one activity type in the term (those after
        ``after``), with its counts; None when there is no school or no term planned."""
        with self.reading(READ) as (session, viewer):
            scope = self._scope(session, viewer)
            if scope is None or scope.term_id is None:
                return None
            return activity_tasks(
                session,
                viewer,
                self.types(session),
                scope,
                activity_type,
                open_only=open_only,
                after=after,
                size=WINDOW,
            )

    def task_refusal(self, task_id: int) -> Label | None:
        """Why the account may not record task ``task_id`` now (finished, waiting for an
        earlier step, not theirs), or None; asked before a record form opens."""
        with self.reading(READ) as (session, viewer):
            return refusal(session, viewer, self.types(session), task_id)

    def record_form(self, activity_type: str, step: str) -> RecordFormSpec:
        """The fields the record of ``step`` of ``activity_type`` asks for."""
        activity = self.registry.get(activity_type)
        found = activity.step(step)
        return RecordFormSpec(activity.title, found.title, tuple(found.record))

    def roster_page(
        self,
        wanted: RosterFilter,
        *,
        after: RosterKey | None = None,
        before: RosterKey | None = None,
        size: int = PAGE_SIZE,
    ) -> RosterPage:
        """One keyset page of the children ``wanted`` finds in the account's school (every
        school for a coordinator bound to none, as a city's office looks them up)."""
        with self.reading(READ) as (session, viewer):
            return roster_page(
                session,
                viewer,
                wanted,
                after=after,
                before=before,
                size=size,
            )

    def roster_count(self, wanted: RosterFilter) -> int:
        """How many children ``wanted`` finds (the whole filter, not one page)."""
        with self.reading(READ) as (session, viewer):
            return roster_count(session, viewer, wanted)

    def child_view(self, row: RosterRow) -> ChildView:
        """The card of the child of ``row`` and their tasks, as the account may see them."""
        with self.reading(READ) as (session, viewer):
            card = child_card(session, viewer, row.school_id, row.student_no)
            tasks = child_tasks(session, viewer, self.types(session), row.child_id)
        return ChildView(card, tuple(tasks))

    def pairing_choices(self, row: RosterRow) -> PairingChoices:
        """The teachers the child of ``row`` may be paired with, and the current pairing."""
        with self.reading(READ) as (session, viewer):
            return pairing_choices(session, viewer, row.child_id)

    def import_school_code(self) -> str | None:
        """The school a roster import goes to when there is only one choice."""
        with self.reading(READ) as (session, viewer):
            return import_school_code(session, viewer)

    def teachers_view(self) -> TeachersView:
        """Each teacher's load and talks this month; talks by month; records by class."""
        with self.reading(READ) as (session, viewer):
            scope = self._scope(session, viewer)
            if scope is None or scope.term_id is None:
                return TeachersView(scope)
            return TeachersView(
                scope,
                tuple(teacher_loads(session, scope)),
                tuple(MonthTalks(*month) for month in talks_by_month(session, scope)),
                tuple(records_by_class(session, scope)),
            )

    def live_feed_ids(self, teacher_id: int) -> tuple[int, ...]:
        """The teacher's feed subscriptions not yet revoked."""
        with self.reading(READ) as (session, viewer):
            scope = self._scope(session, viewer)
            return () if scope is None else tuple(live_feed_ids(session, scope, teacher_id))

    def reminders_view(
        self, state: str | None = None, before_id: int | None = None, limit: int = 50
    ) -> RemindersView:
        """A page of the school's outbox (newest first, ``state`` only when given, ids below
        ``before_id``), its counts, and the coordinators' office inbox."""
        with self.reading(READ) as (session, viewer):
            scope = self._scope(session, viewer)
            if scope is None:
                return RemindersView(None)
            page = outbox_page(session, scope, state=state, before_id=before_id, limit=limit)
            return RemindersView(scope, page)

    def mark_office_inbox_read(self) -> int:
        """Mark every unread item of the coordinators' office inbox read; how many."""
        with self.acting("manage_outbox") as (session, viewer):
            scope = self._scope(session, viewer)
            return 0 if scope is None else mark_inbox_read(session, scope, self.now())
