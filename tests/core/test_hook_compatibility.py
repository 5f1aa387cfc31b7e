"""Adding an argument to a hook does not break an existing plugin.

``OlderPlugin`` implements each hook with an older, shorter signature (fewer arguments than the
spec: pluggy allows it). It must keep working when guanai calls the hook with all of today's
arguments, and when a newer guanai passes an argument added since, through pluggy's own hook
call (``pm.hook.<name>(...)``), which is how guanai calls every hook: pluggy passes an
implementation only the arguments it declares.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
import pluggy
import pytest

from guanai import Holiday, Label, hookimpl
from guanai.core import hookspecs
from guanai.core import pm as pm_module
from guanai.core.calendar import load_calendar
from guanai.core.engine import TickReport
from guanai.core.planner import PlanSummary
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager

COUNTY_DAY = date(2026, 9, 28)  # a Monday of the autumn term; 2026 has an official notice
NOW = datetime(2026, 9, 14, 8, tzinfo=ZoneInfo("Asia/Shanghai"))

EVENTS = {
    "task_completed": {"task_id": 7, "activity_type": "talk", "step": "hold", "actor": "李老师"},
    "tick_finished": {"report": TickReport(NOW, became_due=3)},
    "term_planned": {"summary": PlanSummary("2026-autumn", schools=1, created=5)},
}


class OlderPlugin:
    """Written against an older guanai, whose hooks passed fewer arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    @hookimpl
    def task_completed(self, task_id):
        self.calls.append(("task_completed", (task_id,)))

    @hookimpl
    def tick_finished(self):
        self.calls.append(("tick_finished", ()))

    @hookimpl
    def term_planned(self):
        self.calls.append(("term_planned", ()))

    @hookimpl
    def register_holidays(self, register):  # without `calendar`
        register(Holiday(Label("县庆", "County day"), COUNTY_DAY, COUNTY_DAY))
        self.calls.append(("register_holidays", ()))

    @hookimpl
    def register_commands(self):  # registers nothing, but must not break start-up
        self.calls.append(("register_commands", ()))


class CurrentPlugin:
    """Takes every argument of today's specs."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, object]]] = []

    @hookimpl
    def task_completed(self, task_id, activity_type, step, actor):
        self.calls.append(("task_completed", dict(task_id=task_id, step=step, actor=actor)))


@pytest.fixture
def pm() -> GuanaiPluginManager:
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def older(pm: GuanaiPluginManager) -> OlderPlugin:
    plugin = OlderPlugin()
    assert pm.load(plugin, "older"), pm.problems
    return plugin


def expected_older_calls() -> list[tuple[str, tuple[object, ...]]]:
    return [("task_completed", (7,)), ("tick_finished", ()), ("term_planned", ())]


def test_the_older_plugin_registers_without_problems(pm, older) -> None:
    assert pm.problems == []
    hooks = {caller.name for caller in pm.get_hookcallers(older)}
    assert hooks == set(EVENTS) | {"register_holidays", "register_commands"}


def test_pluggys_hook_call_with_all_of_todays_arguments(pm, older) -> None:
    for hook, arguments in EVENTS.items():
        getattr(pm.hook, hook)(**arguments)
    assert older.calls == expected_older_calls()
    assert pm.problems == []


def test_pluggys_hook_call_with_an_argument_a_newer_guanai_added(pm, older) -> None:
    current = CurrentPlugin()
    pm.load(current, "current")
    for hook, arguments in EVENTS.items():
        getattr(pm.hook, hook)(**arguments, school_code="DEMO")
    assert older.calls == expected_older_calls()
    assert current.calls == [("task_completed", {"task_id": 7, "step": "hold", "actor": "李老师"})]
    assert pm.problems == []


def test_the_plugin_managers_term_calendar_passes_register_holidays_both_arguments(
    pm, older
) -> None:
    assert not pm.term_calendar("2026-autumn").is_school_day(COUNTY_DAY)
    assert pm.problems == []


def test_register_holidays_without_calendar_still_adds_its_day(pm, older) -> None:
    def add_holidays(calendar, register):
        pm.hook.register_holidays(calendar=calendar, register=register)

    assert load_calendar("2026-autumn").is_school_day(COUNTY_DAY)
    calendar = load_calendar("2026-autumn", add_holidays)
    assert not calendar.is_school_day(COUNTY_DAY)
    assert pm.problems == []


def test_register_commands_without_cli_does_not_break_start_up(pm, older) -> None:
    pm.hook.register_commands(cli=click.Group("guanai"))
    assert ("register_commands", ()) in older.calls and pm.problems == []


class NewerHookspecs:
    """Today's specs, with ``task_completed`` given an argument as a later guanai might."""

    @staticmethod
    @hookspecs.hookspec
    def task_completed(task_id: int, activity_type: str, step: str, actor: str, school_code: str):
        """As today, plus the school's code."""


def test_a_plugin_written_for_today_loads_into_a_guanai_whose_hook_gained_an_argument(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Registration checks an implementation's arguments against the spec: a subset passes."""
    monkeypatch.setattr(pm_module, "hookspecs", NewerHookspecs)
    newer = GuanaiPluginManager()
    current, older = CurrentPlugin(), OlderPlugin()
    assert newer.load(current, "current") and newer.load(older, "older")
    arguments = {**EVENTS["task_completed"], "school_code": "DEMO"}
    newer.hook.task_completed(**arguments)
    assert [name for name, _ in current.calls] == ["task_completed"]
    assert [call for call in older.calls if call[0] == "task_completed"] == [
        ("task_completed", (7,))
    ]
    # Its other hooks are unknown to this (cut-down) newer spec, which is reported, not fatal.
    assert {p.plugin for p in newer.problems} == {"older"}


def test_an_implementation_asking_for_an_argument_no_version_passes_is_refused(pm) -> None:
    """The other direction is not compatible: pluggy refuses it, guanai names the plugin."""

    class TooNew:
        @hookimpl
        def task_completed(self, task_id, school_code):
            pass

    assert not pm.load(TooNew(), "too-new")
    [problem] = pm.problems
    assert problem.plugin == "too-new" and "school_code" in problem.reason
    with pytest.raises(pluggy.PluginValidationError):
        pm.register(TooNew(), name="too-new")
