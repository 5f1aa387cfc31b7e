"""The plugin is installed, guanai sees its entry point, and its activity type registers cleanly.

Run these after installing the plugin next to guanai (``pip install -e '.[test]'``): the
first two tests load installed plugins on purpose, since that is what they check.
"""

from __future__ import annotations

from importlib import metadata

import pytest
from guanai import Coverage, RecordError, Role
from guanai.core.pm import build_plugin_manager

import guanai_sports_day
from guanai_sports_day import SportsDay

HOLD_RECORD = {
    "date": "2026-10-23",
    "events": "拔河、接力跑、两人三足",
    "participants": "286",
    "injuries": "否",
    "summary": "全体留守儿童都参加了班级队伍。",
}


@pytest.fixture(autouse=True)
def _all_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the shell says, load every installed plugin."""
    monkeypatch.delenv("GUANAI_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("GUANAI_DISABLE_PLUGINS", raising=False)


def test_entry_point_is_seen():
    pm = build_plugin_manager()
    assert pm.get_plugin("sports_day") is guanai_sports_day
    assert pm.version_of("sports_day") == metadata.version("guanai-sports-day")
    hooks = {caller.name for caller in pm.get_hookcallers(guanai_sports_day) or []}
    assert hooks == {"register_activity_types"}


def test_activity_type_registers_without_problems():
    pm = build_plugin_manager()
    registry = pm.activity_registry()
    assert [p for p in pm.problems if p.plugin == "sports_day"] == []
    assert registry.types["sports_day"] is SportsDay
    assert registry.owners["sports_day"] == "sports_day"


def test_steps_cover_the_school_and_each_class():
    sports_day = SportsDay()
    coverage = {step.name: sports_day.coverage_of(step) for step in SportsDay.steps}
    assert coverage == {
        "plan": Coverage.SCHOOL,
        "register_teams": Coverage.CLASS,
        "hold": Coverage.SCHOOL,
    }
    assert sports_day.step("register_teams").role is Role.HEAD_TEACHER
    assert sports_day.step("plan").starts.school_days < 0  # planned before the day


def test_hold_record_is_parsed():
    record = SportsDay().step("hold").validate_record(HOLD_RECORD)
    assert record["participants"] == 286
    assert record["injuries"] is False
    assert record["injury_details"] is None  # optional


@pytest.mark.parametrize(
    ("field", "value"), [("participants", "many"), ("injuries", "maybe"), ("date", "23/10/2026")]
)
def test_a_malformed_hold_record_names_the_field(field, value):
    with pytest.raises(RecordError, match=field):
        SportsDay().step("hold").validate_record({**HOLD_RECORD, field: value})


def test_calendar_feed_shows_no_subject_for_the_day_itself():
    sports_day = SportsDay()
    assert sports_day.calendar_summary(sports_day.step("hold"), None).en == "Fun sports day"
    summary = sports_day.calendar_summary(sports_day.step("register_teams"), "三年级1班")
    assert summary.zh == "趣味运动会: 班级报名组队 · 三年级1班"
