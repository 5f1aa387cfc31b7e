"""The installed plugin is seen, plans a sports day into the 2026 autumn term and records it.

Run after installing the plugin next to guanai (``pip install -e '.[test]'``). The fixtures
come with guanai (``guanai.testing``, a pytest plugin): ``guanai_pm`` holds every installed
plugin, as ``guanai`` itself loads them, and fails the test if one of them has a problem;
``guanai`` plans, ticks and completes for a demo school of 40 children in a temporary database,
at a frozen clock (1 September 2026, 08:00 in Shanghai, until a test moves it).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from importlib import metadata
from pathlib import Path

import pytest
from guanai import RecordError

import guanai_sports_day
from guanai_sports_day import SportsDay

SPORTS_DAY = date(2026, 10, 23)  # a Friday
HOLD_RECORD = {
    "date": "2026-10-23",
    "events": "拔河、接力跑、两人三足",
    "participants": "286",
    "injuries": "否",
    "summary": "全体留守儿童都参加了班级队伍。",
}
PLAN_RECORD = {"events": "拔河、接力跑", "first_aid": "是"}


@pytest.fixture
def term(tmp_path: Path, guanai_calendar) -> Path:
    """The shipped 2026 autumn term plus one sports day: guanai plans only what a term
    calendar's ``[[plan]]`` entries list, and installing a plugin lists nothing."""
    path = tmp_path / "autumn-with-sports-day.toml"
    entry = f'\n[[plan]]\ntype = "sports_day"\non = {SPORTS_DAY.isoformat()}\n'
    path.write_text(guanai_calendar.text + entry, encoding="utf-8")
    return path


@pytest.fixture
def planned(guanai, term):
    guanai.plan(term)
    return guanai


def test_the_installed_plugin_is_seen(guanai_pm):
    assert guanai_pm.get_plugin("sports_day") is guanai_sports_day
    assert guanai_pm.version_of("sports_day") == metadata.version("guanai-sports-day")
    hooks = {caller.name for caller in guanai_pm.get_hookcallers(guanai_sports_day) or []}
    assert hooks == {"register_activity_types"}
    assert guanai_pm.activity_registry().types["sports_day"] is SportsDay


def test_planned_the_office_plans_and_holds_it_and_each_class_registers(planned):
    tasks = planned.tasks("sports_day")
    school = planned.school
    assert Counter(t.step for t in tasks) == {
        "plan": 1,
        "register_teams": len(school.head_teacher_codes),
        "hold": 1,
    }
    by_step = {t.step: t for t in tasks if t.step != "register_teams"}
    # Counted in school days back from Friday 23 October: National Day (1-7 October) is off
    # and Saturday 10 October is a make-up workday (调休).
    assert (by_step["plan"].scheduled_on, by_step["plan"].due_on) == (
        date(2026, 9, 28),
        date(2026, 10, 10),
    )
    assert (by_step["hold"].scheduled_on, by_step["hold"].due_on) == (SPORTS_DAY, SPORTS_DAY)
    assert {by_step["plan"].assignee_code, by_step["hold"].assignee_code} == {
        school.coordinator_code
    }
    registrations = [t for t in tasks if t.step == "register_teams"]
    assert sorted(t.assignee_code for t in registrations) == sorted(school.head_teacher_codes)
    assert {(t.scheduled_on, t.due_on) for t in registrations} == {
        (date(2026, 10, 10), date(2026, 10, 20))
    }


def test_the_day_waits_for_the_plan_then_its_record_is_kept(planned):
    planned.clock.set("2026-10-23T08:00")
    planned.tick()
    [plan] = planned.tasks("sports_day", step="plan")
    [hold] = planned.tasks("sports_day", step="hold")
    # "plan" was due on 10 October: 13 days late, it is escalated (after 7 days overdue),
    # while "hold" does not come due, even on its day, until "plan" is done.
    assert (plan.state, hold.state) == ("escalated", "pending")
    with pytest.raises(RecordError, match="筹划运动会"):  # the step, by its title
        planned.complete(hold.id, **HOLD_RECORD)

    planned.complete(plan.id, **PLAN_RECORD)
    planned.tick()
    assert planned.tasks("sports_day", step="hold")[0].state == "due"
    planned.complete(hold.id, **HOLD_RECORD)
    assert planned.tasks("sports_day", step="hold")[0].state == "done"


@pytest.mark.parametrize(
    ("field", "value"), [("participants", "many"), ("injuries", "maybe"), ("date", "23/10/2026")]
)
def test_a_malformed_hold_record_is_refused_naming_the_field(planned, field, value):
    planned.clock.set("2026-10-23T08:00")  # the day itself: a record is never dated ahead
    [plan] = planned.tasks("sports_day", step="plan")
    [hold] = planned.tasks("sports_day", step="hold")
    planned.complete(plan.id, **PLAN_RECORD)
    with pytest.raises(RecordError, match=field):
        planned.complete(hold.id, **{**HOLD_RECORD, field: value})
    assert planned.tasks("sports_day", step="hold")[0].state == "pending"


def test_the_day_is_one_plain_event_in_the_coordinators_feed(planned):
    events = {
        str(event["summary"]): event["dtstart"].dt
        for event in planned.feed(planned.school.coordinator_code).walk("VEVENT")
    }
    assert events["趣味运动会"] == SPORTS_DAY
    assert events["趣味运动会: 筹划运动会"] == date(2026, 9, 28)


def test_a_head_teacher_sees_the_class_registration_in_their_feed(planned):
    [registration, *_] = planned.tasks("sports_day", step="register_teams")
    feed = planned.feed(registration.assignee_code)
    summaries = [str(event["summary"]) for event in feed.walk("VEVENT")]
    assert f"趣味运动会: 班级报名组队 · {registration.class_name}" in summaries
