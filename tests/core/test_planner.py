"""Planning a term: the shape of the plan, its stability under re-planning and calendar edits."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar, load_calendar, parse_calendar, shipped_calendars
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.engine import complete, plan_term
from guanai.core.models import (
    Activity,
    Child,
    Pairing,
    Record,
    SchoolClass,
    Task,
    TaskState,
    Teacher,
)
from guanai.core.occurrences import expand_plan
from guanai.core.planner import PlanSummary
from guanai.core.pm import build_plugin_manager
from guanai.core.simulation import simulated_record

NOW = datetime(2026, 8, 25, tzinfo=UTC)
CAP = 3
SPREAD_STEPS = {"head_teacher_talk", "pairing_teacher_talk", "call", "visit", "first_talk"}


@pytest.fixture(scope="module")
def registry() -> ActivityRegistry:
    pm = build_plugin_manager(load_entry_points=False)
    registry = pm.activity_registry()
    assert pm.problems == []
    return registry


@pytest.fixture
def autumn() -> TermCalendar:
    return load_calendar("2026-autumn")


@pytest.fixture
def school(engine: Engine) -> int:
    with transaction(engine) as session:
        return create_demo_school(session, children=80)


def plan(engine: Engine, calendar: TermCalendar, registry: ActivityRegistry) -> PlanSummary:
    with transaction(engine) as session:
        return plan_term(
            session, calendar, registry, actor="tester", now=NOW, max_per_teacher_per_day=CAP
        )


def edited_calendar(tmp_path: Path, old: str, new: str, text: str | None = None) -> TermCalendar:
    """The shipped autumn calendar (or ``text``) with one edit, as a file of its own."""
    text = text or shipped_calendars()["2026-autumn"].read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edited.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_calendar(path)


def tasks(session: Session, activity_type: str | None = None) -> list[tuple]:
    query = select(Task, Activity).join(Activity, Activity.id == Task.activity_id)
    if activity_type:
        query = query.where(Activity.type == activity_type)
    return [tuple(row) for row in session.execute(query)]


def test_every_child_has_both_talks_in_every_school_month(engine, school, autumn, registry):
    """A key assistance target's talks are every half month (Talk.key_children_every)."""
    plan(engine, autumn, registry)
    with transaction(engine) as session:
        children = set(session.scalars(select(Child.id)))
        key = set(session.scalars(select(Child.id).where(Child.key_target)))
        talks = Counter(
            (task.child_id, activity.key, task.step) for task, activity in tasks(session, "talk")
        )
    assert key and key < children
    months = ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]
    steps = ("head_teacher_talk", "pairing_teacher_talk")
    expected = {
        (child, f"talk@month:{month}", step)
        for child in children - key
        for month in months
        for step in steps
    } | {
        (child, f"talk@half:{month}-{half}/key", step)
        for child in key
        for month in months
        for half in (1, 2)
        for step in steps
    }
    assert set(talks) == expected
    assert set(talks.values()) == {1}, "monthly duties are planned once per child per month"


def test_a_talk_falls_in_its_own_month(engine, school, autumn, registry):
    plan(engine, autumn, registry)
    with transaction(engine) as session:
        for task, activity in tasks(session, "talk"):
            month = activity.key.split(":")[1][:7]  # talk@month:2026-10, talk@half:2026-10-1/key
            assert task.scheduled_on.strftime("%Y-%m") == month
            assert task.due_on.strftime("%Y-%m") == month


def test_nothing_is_planned_on_a_holiday_or_weekend(engine, school, autumn, registry):
    plan(engine, autumn, registry)
    with transaction(engine) as session:
        for task, activity in tasks(session):
            in_break = "@break:" in activity.key  # the winter break's duty days
            for day in (task.scheduled_on, task.due_on, activity.starts_on, activity.ends_on):
                assert autumn.is_duty_day(day), f"{activity.key}/{task.step} on {day}"
                assert autumn.is_school_day(day) != in_break, f"{activity.key} on {day}"
    for holiday in (date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 7)):
        assert not autumn.is_school_day(holiday)


def test_make_up_workdays_are_school_days_duties_can_be_placed_on(autumn, registry):
    talk_days = {
        day
        for occurrence in expand_plan(autumn, registry, [])
        if occurrence.activity_type.name == "talk"
        for window in occurrence.windows
        for day in window.days
    }
    for workday in (date(2026, 9, 20), date(2026, 10, 10)):
        assert workday.isoweekday() in (6, 7)
        assert autumn.is_school_day(workday)
        assert workday in talk_days


def test_exam_letters_come_after_the_final_exams(engine, school, autumn, registry):
    plan(engine, autumn, registry)
    exams_end = autumn.periods["final_exams"].ends_on
    with transaction(engine) as session:
        letters = tasks(session, "exam_letters")
        children = session.scalar(select(func.count()).select_from(Child))
    assert len(letters) == 4 * children
    assert all(task.scheduled_on > exams_end for task, _ in letters)
    due = {task.step: task.due_on for task, _ in letters}
    assert (
        due["child_writes"] < due["teacher_report"] < due["letter_sent"] < due["receipt_confirmed"]
    )


def test_per_child_duties_stay_out_of_exam_weeks_and_under_the_daily_cap(
    engine, school, autumn, registry
):
    summary = plan(engine, autumn, registry)
    assert summary.over_capacity == 0
    exam_days = autumn.no_duty_days()
    with transaction(engine) as session:
        spread = [t for t, _ in tasks(session) if t.step in SPREAD_STEPS]
    assert spread
    assert not [t for t in spread if t.scheduled_on in exam_days]
    load = Counter((t.assignee_id, t.scheduled_on) for t in spread)
    assert max(load.values()) <= CAP


def test_a_daily_cap_of_one_gives_each_teacher_at_most_one_duty_a_day(
    engine, school, autumn, registry
):
    with transaction(engine) as session:
        summary = plan_term(
            session, autumn, registry, actor="t", now=NOW, max_per_teacher_per_day=1
        )
        spread = [t for t, _ in tasks(session) if t.step in SPREAD_STEPS]
    load = Counter((t.assignee_id, t.scheduled_on) for t in spread)
    assert summary.over_capacity == 0
    assert set(load.values()) == {1}


def test_replanning_twice_changes_nothing(engine, school, autumn, registry):
    first = plan(engine, autumn, registry)
    assert first.created > 0
    with transaction(engine) as session:
        before = {(t.id, t.scheduled_on, t.assignee_id, t.state) for t, _ in tasks(session)}
    for _ in range(2):
        again = plan(engine, autumn, registry)
        assert again.changed == 0
        assert again.unchanged == first.created
    with transaction(engine) as session:
        after = {(t.id, t.scheduled_on, t.assignee_id, t.state) for t, _ in tasks(session)}
    assert after == before


def _complete_some(
    engine: Engine, registry: ActivityRegistry, activity_type: str, count: int
) -> set[int]:
    with transaction(engine) as session:
        chosen = [
            (task.id, registry.get(activity.type).step(task.step), task.scheduled_on)
            for task, activity in tasks(session, activity_type)
            if task.stage == 0
        ][:count]
        for task_id, step, day in chosen:
            complete(
                session,
                registry,
                task_id,
                simulated_record(step, day),
                actor="tester",
                now=datetime.combine(day, time(8), UTC),  # recorded on the day it names
            )
    return {task_id for task_id, _, _ in chosen}


CARE_WEEK = """
[[periods]]
key = "care_week"
name = "关爱留守儿童活动周"
name_en = "Care week"
starts_on = 2026-11-16
ends_on = 2026-11-20

[[plan]]
type = "care_week"
period = "care_week"
"""
"""A second care week a school may add to the autumn term (the shipped calendars have one a
year, in spring): an activity of a period, which an edit of the period's dates moves."""


def with_care_week(tmp_path: Path) -> TermCalendar:
    text = shipped_calendars()["2026-autumn"].read_text(encoding="utf-8") + CARE_WEEK
    return edited_calendar(tmp_path, CARE_WEEK, CARE_WEEK, text)


def test_completed_work_survives_a_calendar_edit(tmp_path, engine, school, registry):
    autumn = with_care_week(tmp_path)
    plan(engine, autumn, registry)
    done_visits = _complete_some(engine, registry, "home_visit", 5)
    done_weeks = _complete_some(engine, registry, "care_week", 1)
    # Move the care week, and drop home visits from the plan altogether.
    edited = edited_calendar(tmp_path, "2026-11-20\n", "2026-11-27\n", autumn.text)
    edited = edited_calendar(tmp_path, "2026-11-16\n", "2026-11-23\n", edited.text)
    edited.plan = [entry for entry in edited.plan if entry.activity_type != "home_visit"]
    summary = plan(engine, edited, registry)
    assert summary.cancelled > 0 and summary.activities_cancelled == 1
    with transaction(engine) as session:
        visits = tasks(session, "home_visit")
        states = Counter(task.state for task, _ in visits)
        assert {t.id for t, _ in visits if t.state == TaskState.DONE} == done_visits
        assert states[TaskState.CANCELLED] == len(visits) - len(done_visits)
        records = set(session.scalars(select(Record.task_id)))
        assert done_visits | done_weeks <= records
        week = tasks(session, "care_week")
        assert all(a.starts_on == date(2026, 11, 23) for _, a in week)
        assert {t.id for t, _ in week if t.state == TaskState.DONE} == done_weeks
    # Put home visits back: the cancelled ones reopen, the done ones stay done, nothing doubles.
    back = plan(engine, autumn, registry)
    assert back.reopened == len(visits) - len(done_visits)
    with transaction(engine) as session:
        visits_again = tasks(session, "home_visit")
    assert len(visits_again) == len(visits)
    assert {t.id for t, _ in visits_again if t.state == TaskState.DONE} == done_visits


def test_talks_follow_the_current_pairing_but_done_talks_keep_their_teacher(
    engine, school, autumn, registry
):
    plan(engine, autumn, registry)
    with transaction(engine) as session:
        pairing = session.scalars(select(Pairing).order_by(Pairing.id)).first()
        child, old_teacher = pairing.child_id, pairing.teacher_id
        new_teacher = session.scalars(
            select(Teacher.id).where(Teacher.id != old_teacher, ~Teacher.is_coordinator)
        ).first()
        first_talk = session.scalars(
            select(Task)
            .where(Task.child_id == child, Task.step == "pairing_teacher_talk")
            .order_by(Task.scheduled_on)
        ).first()
        step = registry.get("talk").step("pairing_teacher_talk")
        complete(
            session,
            registry,
            first_talk.id,
            simulated_record(step, date(2026, 9, 9)),
            actor="t",
            now=datetime(2026, 9, 9, 8, tzinfo=UTC),  # recorded on the day it names
        )
        pairing.ended_on = date(2026, 9, 30)
        session.flush()
        session.add(Pairing(child_id=child, teacher_id=new_teacher, started_on=date(2026, 10, 1)))
    plan(engine, autumn, registry)
    with transaction(engine) as session:
        talks = session.scalars(
            select(Task).where(Task.child_id == child, Task.step == "pairing_teacher_talk")
        ).all()
    assert {t.assignee_id for t in talks if t.id == first_talk.id} == {old_teacher}
    assert {t.assignee_id for t in talks if t.id != first_talk.id} == {new_teacher}


def test_a_failure_midway_leaves_the_database_untouched(
    engine, school, autumn, registry, monkeypatch
):
    with transaction(engine) as session:
        create_demo_school(session, code="SECOND", name="第二小学", children=20, seed=7)
    import guanai.core.planner as planner

    calls = {"n": 0}
    original = planner.insert_rows

    def failing_insert(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(planner, "insert_rows", failing_insert)
    with pytest.raises(RuntimeError):
        plan(engine, autumn, registry)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Task)) == 0
        assert session.scalar(select(func.count()).select_from(Activity)) == 0


def test_replanning_an_over_full_school_changes_nothing_either(engine, autumn, registry):
    with transaction(engine) as session:
        create_demo_school(session, children=300)
    plans = []
    for _ in range(3):
        with transaction(engine) as session:
            plans.append(
                plan_term(session, autumn, registry, actor="t", now=NOW, max_per_teacher_per_day=1)
            )
    assert plans[0].over_capacity > 0, "a cap of one cannot hold 25 children's monthly duties"
    assert plans[1].changed == plans[2].changed == 0


def test_a_re_plan_bumps_the_sequence_and_change_time_of_changed_tasks_only(
    tmp_path, engine, school, registry
):
    autumn = with_care_week(tmp_path)
    plan(engine, autumn, registry)
    with transaction(engine) as session:
        before = {t.id: (t.sequence, t.changed_at) for t, _ in tasks(session)}
    assert {sequence for sequence, _ in before.values()} == {0}
    assert all(changed == NOW for _, changed in before.values())
    later = datetime(2026, 9, 20, 2, tzinfo=UTC)
    edited = edited_calendar(tmp_path, "2026-11-20\n", "2026-11-27\n", autumn.text)
    edited = edited_calendar(tmp_path, "2026-11-16\n", "2026-11-23\n", edited.text)
    with transaction(engine) as session:
        plan_term(session, edited, registry, actor="t", now=later, max_per_teacher_per_day=CAP)
    with transaction(engine) as session:
        after = {t.id: (t.sequence, t.changed_at, a.type) for t, a in tasks(session)}
    moved = {i for i, (sequence, _, _) in after.items() if sequence == 1}
    assert moved and {after[i][2] for i in moved} >= {"care_week"}
    assert all(after[i][1] == later for i in moved)
    assert all(after[i][:2] == before[i] for i in after if i not in moved)


WEEK_TERM = """
[term]
key = "week-test"
name = "测试学期"
name_en = "Test term"
starts_on = 2026-11-30
ends_on = {ends_on}

[[plan]]
type = "talk"
every = "month"
key_children_every = "month"  # the key children's own cadence is tested on its own
"""
"""November has one school day, Monday the 30th, in the week of 1-4 December."""


def talk_weeks(session: Session) -> Counter[tuple[int | None, str, tuple[int, int]]]:
    """How many talks of each (child, step) fall in each ISO week."""
    rows = session.execute(
        select(Task.child_id, Task.step, Task.scheduled_on).where(
            Task.state != TaskState.CANCELLED.value
        )
    )
    return Counter((child, step, day.isocalendar()[:2]) for child, step, day in rows)


def plan_weeks(engine: Engine, calendar: TermCalendar, registry: ActivityRegistry) -> PlanSummary:
    """Plan with no stub months, so that November's one day is an occurrence of its own."""
    with transaction(engine) as session:
        return plan_term(
            session,
            calendar,
            registry,
            actor="t",
            now=NOW,
            max_per_teacher_per_day=CAP,
            stub_month_school_days=0,
        )


def test_no_child_has_the_same_talk_twice_in_one_week(tmp_path, engine, registry):
    with transaction(engine) as session:
        create_demo_school(session, children=72)  # six children per head teacher
    calendar = parse_calendar(WEEK_TERM.format(ends_on="2026-12-31"), tmp_path / "t.toml")
    summary = plan_weeks(engine, calendar, registry)
    with transaction(engine) as session:
        weeks = talk_weeks(session)
    assert len(weeks) == 72 * 2 * 2  # both talks of two months, each in a week of its own
    assert max(weeks.values()) == 1
    assert summary.same_week == 0
    assert plan_weeks(engine, calendar, registry).changed == 0  # and a re-plan keeps them


def test_a_talk_that_cannot_leave_the_week_is_planned_and_counted(tmp_path, engine, registry):
    with transaction(engine) as session:
        create_demo_school(session, children=12)
    calendar = parse_calendar(WEEK_TERM.format(ends_on="2026-12-04"), tmp_path / "t.toml")
    summary = plan_weeks(engine, calendar, registry)
    with transaction(engine) as session:
        weeks = talk_weeks(session)
    assert set(weeks.values()) == {2}  # December's days all lie in November's week
    assert summary.same_week == 12 * 2
    again = plan_weeks(engine, calendar, registry)
    assert (again.changed, again.same_week) == (0, 12 * 2)


def test_key_targets_talk_every_half_month_never_twice_in_a_week(engine, school, autumn, registry):
    summary = plan(engine, autumn, registry)
    with transaction(engine) as session:
        key = set(session.scalars(select(Child.id).where(Child.key_target)))
        rows = session.execute(
            select(Task.child_id, Task.step, Task.scheduled_on, Activity.key)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.type == "talk", Task.child_id.in_(key))
        ).all()
    assert {activity_key.split("@")[1][:4] for *_, activity_key in rows} == {"half"}
    weeks = Counter((child, step, day.isocalendar()[:2]) for child, step, day, _ in rows)
    assert len(rows) == len(key) * 2 * 10  # both talks, ten half months
    assert max(weeks.values()) == 1
    assert summary.same_week == 0


def test_a_selection_by_grade_covers_those_classes_only(tmp_path, engine, school, registry):
    calendar = edited_calendar(
        tmp_path,
        'type = "safety_education"\non = 2026-09-30',
        'type = "safety_education"\non = 2026-09-30\nchildren = { grades = [1, 2] }',
    )
    plan(engine, calendar, registry)
    with transaction(engine) as session:
        grades = session.scalars(
            select(SchoolClass.grade)
            .join(Task, Task.class_id == SchoolClass.id)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.type == "safety_education")
        ).all()
        every_grade = set(session.scalars(select(SchoolClass.grade)))
    assert set(grades) == {1, 2} < every_grade
