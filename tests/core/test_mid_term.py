"""Starting mid-term: a school's first plan, or a child who joins later, gets no past duties.

The flood this prevents: a school planned in December was given September to November's
talks, and the next tick escalated thousands of them to the coordinator.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from roster_samples import child, import_file, write_roster
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar, load_calendar
from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.demo import STARTED_ON, create_demo_school
from guanai.core.engine import complete, plan_term, tick
from guanai.core.models import Activity, Child, School, Task, TaskState
from guanai.core.occurrences import expand_plan
from guanai.core.planner import PlanSummary
from guanai.core.pm import build_plugin_manager
from guanai.core.simulation import simulated_record
from guanai.core.stages import waiting_for
from guanai.core.timezone import SCHOOL_TIMEZONE

# 01:30 on 2 December in Beijing, still 1 December in UTC: the school's day is the 2nd.
DECEMBER = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
FIRST_DAY = date(2026, 12, 2)
BEFORE_TERM = datetime(2026, 8, 25, tzinfo=UTC)


@pytest.fixture(scope="module")
def registry() -> ActivityRegistry:
    return build_plugin_manager(load_entry_points=False).activity_registry()


@pytest.fixture
def autumn() -> TermCalendar:
    return load_calendar("2026-autumn")


def new_school(engine: Engine, code: str = "NEW") -> int:
    """A school set up today (no ``planned_from``), shaped like the demo's (another seed, so
    its invented ID numbers are its own)."""
    with transaction(engine) as session:
        school_id = create_demo_school(session, code=code, name=f"{code} 小学", children=24, seed=7)
        session.get_one(School, school_id).planned_from = None
    return school_id


def plan(
    engine: Engine, calendar: TermCalendar, registry: ActivityRegistry, now: datetime
) -> PlanSummary:
    with transaction(engine) as session:
        return plan_term(
            session, calendar, registry, actor="关爱办", now=now, max_per_teacher_per_day=3
        )


def open_tasks(session: Session, school_id: int, activity_type: str | None = None) -> list[Task]:
    """The school's tasks that are not cancelled (of ``activity_type``, else of every type)."""
    query = (
        select(Task)
        .join(Activity, Activity.id == Task.activity_id)
        .where(Activity.school_id == school_id, Task.state != TaskState.CANCELLED.value)
    )
    if activity_type is not None:
        query = query.where(Activity.type == activity_type)
    return list(session.scalars(query))


def test_a_school_first_planned_in_december_gets_nothing_that_closed_before(
    engine, autumn, registry
):
    new = new_school(engine)
    with transaction(engine) as session:  # the same school, running since September
        demo = create_demo_school(session, code="DEMO", children=24)
        # its children the same as the new school's in what selections ask of them
        ordered = select(Child).order_by(Child.student_no)
        mine = session.scalars(ordered.where(Child.school_id == new)).all()
        for theirs, child in zip(
            session.scalars(ordered.where(Child.school_id == demo)), mine, strict=True
        ):
            theirs.key_target, theirs.care_categories = child.key_target, child.care_categories
    summary = plan(engine, autumn, registry, DECEMBER)
    with Session(engine) as session:
        assert session.get_one(School, new).planned_from == FIRST_DAY
        assert session.get_one(School, demo).planned_from == STARTED_ON
        planned = open_tasks(session, new)
        whole_term = open_tasks(session, demo)
    assert planned and min(t.due_on for t in planned) >= FIRST_DAY
    assert min(t.due_on for t in whole_term) < date(2026, 9, 30)
    # every duty of the term is either planned or counted as left out
    assert summary.left_out == len(whole_term) - len(planned)
    assert sum(summary.left_out_by_type.values()) == summary.left_out
    with Session(engine) as session:
        key = session.scalar(select(func.count()).where(Child.school_id == new, Child.key_target))
    # both talks of Sep, Oct and Nov; a key child's every half month
    assert summary.left_out_by_type["talk"] == (24 - key) * 2 * 3 + key * 2 * 6
    assert "new_year_party" not in summary.left_out_by_type  # 31 December is still to come
    assert {(t.step, t.due_on) for t in planned} >= {
        ("head_teacher_talk", date(2026, 12, 31)),
        ("pairing_teacher_talk", date(2026, 12, 31)),
    }


def test_a_replan_keeps_the_first_day_and_changes_nothing(engine, autumn, registry):
    school = new_school(engine)
    first = plan(engine, autumn, registry, DECEMBER)
    again = plan(engine, autumn, registry, datetime(2026, 12, 20, tzinfo=UTC))
    with Session(engine) as session:
        assert session.get_one(School, school).planned_from == FIRST_DAY
    assert again.changed == 0
    assert again.left_out == first.left_out


def test_the_tick_after_a_mid_term_plan_escalates_nothing(engine, autumn, registry):
    new_school(engine)
    plan(engine, autumn, registry, DECEMBER)
    with transaction(engine) as session:
        report = tick(session, DECEMBER, registry, Settings())
    assert report.became_due > 0
    assert (report.became_overdue, report.escalated) == (0, 0)


def test_a_school_running_since_september_is_still_escalated_for_its_autumn_work(
    engine, autumn, registry
):
    """The contrast: left-out work is not escalated, but work that was the school's is."""
    with transaction(engine) as session:
        create_demo_school(session, children=24)
    plan(engine, autumn, registry, DECEMBER)
    with transaction(engine) as session:
        assert tick(session, DECEMBER, registry, Settings()).escalated > 0


def test_a_later_step_is_not_left_waiting_on_an_earlier_one_that_was_left_out(
    engine, autumn, registry
):
    """The guardian meeting's invitation closed before the first plan; the meeting itself
    is still open, and becomes due at once instead of waiting for the invitation forever."""
    school = new_school(engine)
    meeting = next(
        o for o in expand_plan(autumn, registry, []) if o.activity_type.name == "guardian_meeting"
    )
    invite, hold = meeting.windows
    assert invite.due_on < hold.due_on
    planned_on = datetime.combine(invite.due_on + timedelta(days=1), time(9), SCHOOL_TIMEZONE)
    summary = plan(engine, autumn, registry, planned_on)
    assert summary.left_out_by_type["guardian_meeting"] == 12  # one invitation per class
    with transaction(engine) as session:
        tick(session, planned_on, registry, Settings())
    with Session(engine) as session:
        meetings = open_tasks(session, school, "guardian_meeting")
        assert len(meetings) == 12
        assert {(t.step, t.state) for t in meetings} == {("hold_meeting", TaskState.DUE.value)}
        assert all(waiting_for(session, t) == [] for t in meetings)


def test_a_child_imported_into_a_planned_term_gets_duties_from_its_first_day_on(
    tmp_path: Path, engine, autumn, registry
):
    with transaction(engine) as session:
        school = create_demo_school(session, children=24)
    plan(engine, autumn, registry, BEFORE_TERM)
    roster = write_roster(tmp_path / "名册.csv", [child(1), child(2)])
    import_file(engine, roster, school, now=DECEMBER)
    with Session(engine) as session:
        joined = session.execute(
            select(Child.id, Child.joined_on).where(Child.joined_on.is_not(None))
        ).all()
        before = {t.id: (t.scheduled_on, t.state) for t in open_tasks(session, school)}
    assert {day for _, day in joined} == {FIRST_DAY}
    summary = plan(engine, autumn, registry, datetime(2026, 12, 3, tzinfo=UTC))
    with Session(engine) as session:
        tasks = open_tasks(session, school)
        new = [t for t in tasks if t.child_id in {child_id for child_id, _ in joined}]
        kept = {t.id: (t.scheduled_on, t.state) for t in tasks if t.id in before}
    assert new and min(t.due_on for t in new) >= FIRST_DAY
    assert kept == before  # the others' work is as it was
    assert summary.created == len(new)
    assert summary.left_out_by_type["talk"] == 2 * 2 * 3  # both talks of Sep, Oct and Nov
    with transaction(engine) as session:
        tick(session, datetime(2026, 12, 3, tzinfo=UTC), registry, Settings())
    with Session(engine) as session:
        states = session.scalars(
            select(Task.state).where(Task.child_id.in_([child_id for child_id, _ in joined]))
        ).all()
    assert TaskState.ESCALATED.value not in states
    assert TaskState.OVERDUE.value not in states


def test_a_replan_cancels_pending_work_now_left_out_and_keeps_done_work(engine, autumn, registry):
    """A child's first day moved later (a corrected record): the pending tasks before it are
    cancelled, a talk already recorded stays done."""
    with transaction(engine) as session:
        school = create_demo_school(session, children=24)
    plan(engine, autumn, registry, BEFORE_TERM)
    with Session(engine) as session:
        first = session.scalars(select(Child.id).where(Child.school_id == school)).first()
        september = session.scalars(
            select(Task)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Task.child_id == first, Activity.key == "talk@month:2026-09")
            .order_by(Task.step)
        ).all()
    done, pending = september
    step = registry.get("talk").step(done.step)
    with transaction(engine) as session:
        complete(
            session,
            registry,
            done.id,
            simulated_record(step, done.scheduled_on),
            actor="王老师",
            now=datetime(2026, 9, 30, 9, tzinfo=UTC),
        )
        session.execute(update(Child).where(Child.id == first).values(joined_on=date(2026, 10, 15)))
    summary = plan(engine, autumn, registry, datetime(2026, 10, 16, tzinfo=UTC))
    with Session(engine) as session:
        assert session.get_one(Task, done.id).state == TaskState.DONE.value
        assert session.get_one(Task, pending.id).state == TaskState.CANCELLED.value
        left = session.scalars(
            select(func.min(Task.due_on)).where(
                Task.child_id == first,
                Task.state.not_in([TaskState.CANCELLED.value, TaskState.DONE.value]),
            )
        ).one()
    assert left >= date(2026, 10, 15)
    assert summary.kept_done >= 1 and summary.cancelled >= 1


def test_a_school_planned_before_its_first_day_was_recorded_loses_nothing(engine, autumn, registry):
    """A database from before migration 0007: the school was planned, ``planned_from`` is
    empty. Its first plan since counts from its earliest planned term, so no open task of
    its is cancelled."""
    school = new_school(engine)
    plan(engine, autumn, registry, BEFORE_TERM)
    with transaction(engine) as session:
        session.get_one(School, school).planned_from = None
    summary = plan(engine, autumn, registry, DECEMBER)
    with Session(engine) as session:
        assert session.get_one(School, school).planned_from == autumn.starts_on
    assert (summary.left_out, summary.cancelled, summary.changed) == (0, 0, 0)
