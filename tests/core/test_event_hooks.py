"""Event hooks are called the pluggy way (``pm.hook.<name>(...)``) and every kind of
implementation is contained.

A plain implementation that raises is reported with its plugin's name and the others still run;
a new-style wrapper (``@hookimpl(wrapper=True)``) and an old-style one (``hookwrapper=True``)
run around the others, and one that raises before or after its ``yield`` is reported and
contained too. The plugins here are registered in fixtures and unregistered in ``finally``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from guanai import ActivityType, Coverage, Label, Role, Step, hookimpl
from guanai.core.engine import TickReport
from guanai.core.i18n import set_language
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager

NOW = datetime(2026, 9, 14, 8, tzinfo=ZoneInfo("Asia/Shanghai"))


class Watching:
    """A new-style wrapper around ``tick_finished``: code before and after its ``yield``."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl(wrapper=True)
    def tick_finished(self, report):
        self.seen.append(f"before {report.became_due}")
        try:
            result = yield
            self.seen.append(f"after, result {result!r}")
            return result
        finally:
            self.seen.append("finally")


class OldStyle:
    """An old-style wrapper: it is sent pluggy's ``Result`` of the other implementations."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl(hookwrapper=True)
    def tick_finished(self, report):
        self.seen.append("before")
        outcome = yield
        self.seen.append(f"after, exception {outcome.exception!r}")


class Plain:
    def __init__(self) -> None:
        self.told: list[TickReport] = []

    @hookimpl
    def tick_finished(self, report):
        self.told.append(report)


class Raising:
    @hookimpl
    def tick_finished(self, report):
        raise RuntimeError("boom")


class RaisesBeforeYield:
    @hookimpl(wrapper=True)
    def tick_finished(self):
        raise ValueError("before")
        yield  # never reached


class RaisesAfterYield:
    def __init__(self) -> None:
        self.ran_after = False

    @hookimpl(wrapper=True)
    def tick_finished(self):
        yield
        self.ran_after = True
        raise ValueError("after")


class OldStyleRaisesAfterYield:
    @hookimpl(hookwrapper=True)
    def tick_finished(self):
        yield
        raise KeyError("teardown")


class NeverYields:
    @hookimpl(wrapper=True)
    def tick_finished(self):
        return
        yield  # a generator that ends before its yield


@pytest.fixture
def pm() -> GuanaiPluginManager:
    set_language("en")
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def plugins(pm: GuanaiPluginManager) -> Iterator[dict[str, object]]:
    """Each kind of ``tick_finished`` implementation, registered in this order."""
    registered: dict[str, object] = {
        "plain-before": Plain(),
        "raising": Raising(),
        "watching": Watching(),
        "old-style": OldStyle(),
        "raises-before-yield": RaisesBeforeYield(),
        "raises-after-yield": RaisesAfterYield(),
        "old-style-raises": OldStyleRaisesAfterYield(),
        "never-yields": NeverYields(),
        "plain-after": Plain(),
    }
    try:
        for name, plugin in registered.items():
            assert pm.load(plugin, name), pm.problems
        assert pm.problems == []
        yield registered
    finally:
        for name in registered:
            if pm.get_plugin(name) is not None:
                pm.unregister(name=name)


def reasons(pm: GuanaiPluginManager) -> dict[str, str]:
    return {problem.plugin: problem.reason for problem in pm.problems}


def test_every_kind_of_implementation_runs_and_every_failure_is_reported(pm, plugins) -> None:
    report = TickReport(NOW, became_due=3)
    assert pm.hook.tick_finished(report=report) == []
    assert plugins["plain-before"].told == [report]  # type: ignore[attr-defined]
    assert plugins["plain-after"].told == [report], "a raising implementation stops nothing"  # type: ignore[attr-defined]
    assert plugins["watching"].seen == ["before 3", "after, result []", "finally"]  # type: ignore[attr-defined]
    assert plugins["old-style"].seen == ["before", "after, exception None"]  # type: ignore[attr-defined]
    assert plugins["raises-after-yield"].ran_after  # type: ignore[attr-defined]
    assert reasons(pm) == {
        "raising": "RuntimeError('boom')",
        "raises-before-yield": "ValueError('before')",
        "raises-after-yield": "ValueError('after')",
        "old-style-raises": "KeyError('teardown')",
        "never-yields": "plugin never-yields: hook wrapper tick_finished did not yield",
    }


def test_the_failures_are_reported_on_each_call(pm, plugins) -> None:
    pm.hook.tick_finished(report=TickReport(NOW))
    pm.hook.tick_finished(report=TickReport(NOW))
    assert [p.plugin for p in pm.problems].count("raising") == 2


def test_a_wrapper_may_still_see_and_replace_the_result(pm) -> None:
    class Replacing:
        @hookimpl(wrapper=True)
        def tick_finished(self):
            results = yield
            return [*results, "replaced"]

    try:
        pm.load(Replacing(), "replacing")
        assert pm.hook.tick_finished(report=TickReport(NOW)) == ["replaced"]
        assert pm.problems == []
    finally:
        pm.unregister(name="replacing")


def test_an_exception_that_is_no_plugins_fault_still_reaches_the_caller(pm) -> None:
    """Only ``Exception`` is contained: a ``KeyboardInterrupt`` stops the call, and a wrapper
    sees it at its ``yield`` (its ``finally`` runs)."""
    watching = Watching()

    class Interrupting:
        @hookimpl(tryfirst=True)
        def tick_finished(self):
            raise KeyboardInterrupt

    try:
        pm.load(watching, "watching")
        pm.load(Interrupting(), "interrupting")
        with pytest.raises(KeyboardInterrupt):
            pm.hook.tick_finished(report=TickReport(NOW, became_due=1))
        assert watching.seen == ["before 1", "finally"]
        assert pm.problems == []
    finally:
        pm.unregister(name="watching")
        pm.unregister(name="interrupting")


def test_the_wrapped_function_keeps_its_name_and_the_plugins_function(pm, plugins) -> None:
    [impl] = [i for i in pm.hook.tick_finished.get_hookimpls() if i.plugin_name == "watching"]
    assert impl.function.__name__ == "tick_finished"
    assert impl.function.__wrapped__ == plugins["watching"].tick_finished  # type: ignore[attr-defined]
    assert impl.wrapper and impl.argnames == ("report",)


def test_a_wrapper_of_a_registration_hook_runs_too(pm) -> None:
    class Outing(ActivityType):
        name = "outing"
        title = Label("春游", "Spring outing")
        covers = Coverage.SCHOOL
        steps = (Step("hold", Label("组织春游", "Hold the outing"), Role.COORDINATOR),)

    class WrappingRegistration:
        @hookimpl(wrapper=True)
        def register_activity_types(self, register):
            register(Outing)
            yield

    try:
        pm.load(WrappingRegistration(), "wrapping")
        assert pm.activity_registry().owners["outing"] == "wrapping"
        assert pm.problems == []
    finally:
        pm.unregister(name="wrapping")


# --- through the real tick path: the ``guanai`` fixture of guanai.testing ----------------------

WATCHING = Watching()
OLD_STYLE = OldStyle()


@pytest.fixture
def guanai_plugins() -> Iterator[list[object]]:
    WATCHING.seen.clear()
    OLD_STYLE.seen.clear()
    yield [WATCHING, OLD_STYLE]


def test_a_wrapper_runs_around_the_tick_of_the_testing_harness(guanai) -> None:
    guanai.plan()
    report = guanai.tick("2026-09-14T08:00")
    assert WATCHING.seen == [f"before {report.became_due}", "after, result []", "finally"]
    assert OLD_STYLE.seen == ["before", "after, exception None"]
    assert guanai.pm.problems == []
