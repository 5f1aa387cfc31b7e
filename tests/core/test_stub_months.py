"""Stub months: a term's first or last month with only a few school days folds into its
neighbour, so a spring term's one February week does not carry a whole month's duties."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar, load_calendar, parse_calendar
from guanai.core.config import PlanningSettings, Settings, load_settings
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.engine import plan_term
from guanai.core.errors import ConfigError
from guanai.core.models import Activity, SchoolClass, Task, TaskState
from guanai.core.occurrences import expand_plan, month_spans
from guanai.core.planner import PlanSummary
from guanai.core.pm import build_plugin_manager
from guanai.service import Guanai

BEFORE_TERM = datetime(2027, 2, 1, tzinfo=UTC)
MONTHLY = ("talk", "family_phone", "theme_class_meeting", "counselling")


@pytest.fixture(scope="module")
def registry() -> ActivityRegistry:
    return build_plugin_manager(load_entry_points=False).activity_registry()


@pytest.fixture
def spring() -> TermCalendar:
    return load_calendar("2027-spring")


def monthly_keys(calendar: TermCalendar, registry: ActivityRegistry, stub_days: int) -> set[str]:
    return {
        o.key
        for o in expand_plan(calendar, registry, [], stub_days)
        if o.activity_type.name in MONTHLY
    }


def plan(
    engine: Engine, calendar: TermCalendar, registry: ActivityRegistry, stub_days: int = 7
) -> PlanSummary:
    with transaction(engine) as session:
        return plan_term(
            session,
            calendar,
            registry,
            actor="关爱办",
            now=BEFORE_TERM,
            max_per_teacher_per_day=3,
            stub_month_school_days=stub_days,
        )


def test_the_spring_terms_february_folds_into_march_and_july_into_june(spring):
    assert Settings().planning.stub_month_school_days == 7
    assert month_spans(spring, 7) == [
        ("month:2027-03", date(2027, 2, 22), date(2027, 3, 31)),
        ("month:2027-04", date(2027, 4, 1), date(2027, 4, 30)),
        ("month:2027-05", date(2027, 5, 6), date(2027, 5, 31)),
        ("month:2027-06", date(2027, 6, 1), date(2027, 7, 9)),
    ]


def test_the_threshold_decides_which_months_are_stubs(spring):
    """February has 5 school days, July 7: at 5 only February folds, at 4 neither."""
    assert [key for key, _, _ in month_spans(spring, 5)] == [
        "month:2027-03",
        "month:2027-04",
        "month:2027-05",
        "month:2027-06",
        "month:2027-07",
    ]
    assert len(month_spans(spring, 4)) == 6
    assert len(month_spans(spring, 0)) == 6


def test_a_month_in_the_middle_of_the_term_never_folds():
    autumn = load_calendar("2026-autumn")
    # September has 22 school days, October 18, January 20: at 22 only the ends fold
    spans = month_spans(autumn, 22)
    assert [key for key, _, _ in spans] == ["month:2026-10", "month:2026-11", "month:2026-12"]
    assert spans[0][1] == date(2026, 9, 1) and spans[-1][2] == date(2027, 1, 29)


def term(tmp_path: Path, starts_on: str, ends_on: str) -> TermCalendar:
    """A term of the given days (weekdays, no holidays) with a monthly talk."""
    text = f"""
[term]
key = "short"
name = "短学期"
name_en = "Short term"
starts_on = {starts_on}
ends_on = {ends_on}

[[plan]]
type = "talk"
every = "month"
"""
    return parse_calendar(text, tmp_path / "short.toml")


def test_a_term_of_one_short_month_keeps_it(tmp_path: Path):
    calendar = term(tmp_path, "2027-02-22", "2027-02-26")
    assert month_spans(calendar, 7) == [("month:2027-02", date(2027, 2, 22), date(2027, 2, 26))]


def test_a_term_of_two_stub_months_folds_the_first_into_the_second(tmp_path: Path):
    calendar = term(tmp_path, "2026-11-26", "2026-12-02")  # Thu-Fri, then Mon-Wed
    assert month_spans(calendar, 7) == [("month:2026-12", date(2026, 11, 26), date(2026, 12, 2))]


def test_no_head_teacher_has_a_months_duties_in_the_first_week(engine, spring, registry):
    with transaction(engine) as session:
        school = create_demo_school(session, children=60)
    plan(engine, spring, registry)
    with Session(engine) as session:
        heads = set(
            session.scalars(
                select(SchoolClass.head_teacher_id).where(SchoolClass.school_id == school)
            )
        )
        rows = session.execute(
            select(Activity.key, Task.assignee_id, Task.due_on)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.type.in_(MONTHLY), Task.state != TaskState.CANCELLED.value)
        ).all()
    first_week = Counter(a for _, a, due in rows if due <= date(2027, 2, 26) and a in heads)
    assert first_week == Counter()
    spans = {key.split("@")[1] for key, _, _ in rows if not key.endswith("/key")}
    assert {span.split("/")[0] for span in spans} == {  # counselling's: /care=psychological
        "month:2027-03",
        "month:2027-04",
        "month:2027-05",
        "month:2027-06",
    }
    halves = {key.split("@")[1] for key, _, _ in rows if key.startswith("talk@half")}
    assert min(halves) == "half:2027-03-1/key" and max(halves) == "half:2027-06-2/key"


def test_a_replan_with_another_threshold_moves_the_month_it_folds_into(engine, spring, registry):
    with transaction(engine) as session:
        create_demo_school(session, children=24)
    plan(engine, spring, registry, stub_days=0)
    with Session(engine) as session:
        ids = dict(session.execute(select(Activity.key, Activity.id)).all())
    summary = plan(engine, spring, registry, stub_days=7)
    with Session(engine) as session:
        after = {a.key: a for a in session.scalars(select(Activity).where(Activity.type == "talk"))}
    march = after["talk@month:2027-03"]
    assert march.id == ids["talk@month:2027-03"]  # moved, not replaced
    assert (march.starts_on, march.cancelled) == (date(2027, 2, 22), False)
    assert after["talk@month:2027-02"].cancelled and after["talk@month:2027-07"].cancelled
    # and the key children's talks of the first and last half months
    assert summary.activities_cancelled == 2 * len(MONTHLY) + 2
    assert summary.activities_created == 0


def test_the_service_plans_with_the_configured_threshold(engine, database_url, spring):
    pm = build_plugin_manager(load_entry_points=False)
    settings = Settings(database_url=database_url, planning=PlanningSettings(5))
    with transaction(engine) as session:
        create_demo_school(session, children=12)
    Guanai(settings, pm, "关爱办", engine=engine, clock=lambda: BEFORE_TERM).plan(spring)
    with Session(engine) as session:
        keys = set(
            session.scalars(
                select(Activity.key).where(Activity.type == "talk", ~Activity.key.endswith("/key"))
            )
        )
    assert keys == {
        "talk@month:2027-03",
        "talk@month:2027-04",
        "talk@month:2027-05",
        "talk@month:2027-06",
        "talk@month:2027-07",  # 7 school days: not a stub at 5
    }


def test_the_setting_is_read_from_the_planning_table(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text("[planning]\nstub_month_school_days = 3\n", encoding="utf-8")
    assert load_settings(path).planning.stub_month_school_days == 3


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("stub_month_school_days = -1", "应为 0–31", "must be 0 to 31"),
        ("stub_month_school_days = 32", "应为 0–31", "must be 0 to 31"),
        ('stub_month_school_days = "5"', "应为整数", "must be an integer"),
        ("stub_days = 5", "未知的键 planning.stub_days", "unknown key planning.stub_days"),
    ],
)
def test_a_bad_threshold_is_refused_naming_the_file_and_key(
    tmp_path: Path, text: str, zh: str, en: str
):
    path = tmp_path / "config.toml"
    path.write_text(f"[planning]\n{text}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    label = error.value.label
    assert str(path) in label.zh and zh in label.zh
    assert str(path) in label.en and en in label.en
    assert "stub" in label.en


def test_every_monthly_type_folds_the_same_way(spring, registry):
    """Every monthly type folds the same way: one set of months for the term."""
    keys = [key for key in monthly_keys(spring, registry, 7) if "@month:" in key]
    months = {key.split("@")[1].split("/")[0] for key in keys}  # counselling's: /care=…
    assert months == {"month:2027-03", "month:2027-04", "month:2027-05", "month:2027-06"}
    assert len(keys) == len(MONTHLY) * len(months)
