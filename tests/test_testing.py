"""guanai.testing, the pytest plugin for plugin authors, used as an author would: through pytester.

Each test writes a plugin author's test file and runs pytest on it in-process; the plugin is
loaded by its ``pytest11`` entry point, exactly as in an author's environment.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

pytest_plugins = ["pytester"]

# A plugin that is not installed: the author's test module registers it with guanai_plugins.
PLUGIN = """
from datetime import date

import pytest
from guanai import ActivityType, Coverage, Field, FieldKind, Label, RecordError, Role, Step
from guanai import at_start, hookimpl
from sqlalchemy import text


class Fair(ActivityType):
    name = "fair"
    title = Label("游园会", "Fair")
    covers = Coverage.CLASS
    steps = (
        Step(
            "hold",
            Label("举办", "Hold"),
            Role.HEAD_TEACHER,
            starts=at_start(-2),
            record=(Field("visitors", Label("人数", "Visitors"), FieldKind.INTEGER),),
        ),
    )


class FairPlugin:
    planned = []

    @hookimpl
    def register_activity_types(register):
        register(Fair)

    @hookimpl
    def term_planned(summary):
        FairPlugin.planned.append(summary.term_key)


@pytest.fixture
def guanai_plugins():
    return [FairPlugin]


@pytest.fixture
def term(tmp_path, guanai_calendar):
    path = tmp_path / "term.toml"
    path.write_text(guanai_calendar.text + '[[plan]]\\ntype = "fair"\\non = 2026-10-23\\n', "utf-8")
    return path
"""


def _run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_author=source)
    # Only guanai's plugin is wanted inside: the snapshot plugin keeps one temporary directory
    # per process, which an in-process inner session would remove from under the outer one,
    # and pytest-asyncio would warn that the inner session does not configure it.
    off = ("cacheprovider", "textual-snapshot", "asyncio")
    return pytester.runpytest(*(arg for name in off for arg in ("-p", f"no:{name}")), *args)


def test_an_authors_tests_plan_tick_complete_and_read_the_feed(pytester: pytest.Pytester):
    result = _run(
        pytester,
        PLUGIN
        + """
def test_plan_tick_complete_feed(guanai, term):
    assert guanai.clock.now.isoformat() == "2026-09-01T08:00:00+08:00"
    summary = guanai.plan(term)
    assert summary.schools == 1 and FairPlugin.planned == ["2026-autumn"]
    fairs = guanai.tasks("fair")
    assert len(fairs) == len(guanai.school.head_teacher_codes) == 12
    assert {t.assignee_code for t in fairs} == set(guanai.school.head_teacher_codes)
    assert {(t.scheduled_on, t.due_on, t.state) for t in fairs} == {
        (date(2026, 10, 21), date(2026, 10, 23), "pending")
    }
    assert guanai.tick("2026-10-21T08:00").became_due >= 12
    first = guanai.tasks("fair", state="due")[0]
    with pytest.raises(RecordError, match="visitors"):
        guanai.complete(first.id, visitors="many")
    guanai.complete(first.id, visitors="35")
    assert [t.id for t in guanai.tasks("fair", state="done")] == [first.id]
    feed = guanai.feed(first.assignee_code)
    summaries = {str(e["summary"]) for e in feed.walk("VEVENT")}
    assert f"【已完成】游园会: 举办 · {first.class_name}" in summaries  # done, and marked so
    with guanai.session() as session:
        assert session.execute(text("select count(*) from record")).scalar() == 1


def test_talks_of_the_shipped_term(guanai):
    guanai.plan()
    talks = guanai.tasks("talk", step="head_teacher_talk")
    assert talks and all(t.child_name for t in talks)
    assert guanai.tasks("fair") == []


def test_clock_is_frozen_until_moved(guanai_clock):
    start = guanai_clock.now
    assert guanai_clock.now == start
    assert guanai_clock.advance(days=1, hours=2).isoformat() == "2026-09-02T10:00:00+08:00"
    assert guanai_clock.set("2026-10-01T09:30").isoformat() == "2026-10-01T09:30:00+08:00"
""",
    )
    result.assert_outcomes(passed=3)


def test_the_start_term_and_school_size_can_be_overridden(pytester: pytest.Pytester):
    result = _run(
        pytester,
        """
import pytest
from sqlalchemy import text

@pytest.fixture
def guanai_now():
    return "2027-03-01T07:30+00:00"

@pytest.fixture
def guanai_term():
    return "2027-spring"

@pytest.fixture
def guanai_children():
    return 12

def test_overrides(guanai, guanai_database):
    assert guanai.clock.now.isoformat() == "2027-03-01T07:30:00+00:00"
    assert guanai.calendar.key == "2027-spring"
    assert guanai_database.startswith("sqlite:///")
    with guanai.session() as session:
        assert session.execute(text("select count(*) from child")).scalar() == 12
""",
    )
    result.assert_outcomes(passed=1)


def test_an_invalid_activity_type_fails_the_test_naming_the_plugin(pytester: pytest.Pytester):
    result = _run(
        pytester,
        """
import pytest
from guanai import ActivityType, hookimpl

class Untitled(ActivityType):
    name = "untitled"

class BrokenPlugin:
    @hookimpl
    def register_activity_types(register):
        register(Untitled)

@pytest.fixture
def guanai_plugins():
    return [BrokenPlugin]

def test_uses_the_plugin_manager(guanai_pm):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*plugin problems while loading plugins:*", "*- BrokenPlugin: *"])
    assert "untitled" in result.stdout.str()


def test_a_misspelt_hook_fails_the_test_naming_the_plugin(pytester: pytest.Pytester):
    result = _run(
        pytester,
        """
import pytest
from guanai import hookimpl

class Typo:
    @hookimpl
    def register_activity_type(register):
        pass

@pytest.fixture
def guanai_plugins():
    return [Typo]

def test_uses_the_plugin_manager(guanai_pm):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*- Typo: *register_activity_type*"])


def test_an_event_hook_that_raises_fails_the_step_that_called_it(pytester: pytest.Pytester):
    result = _run(
        pytester,
        """
import pytest
from guanai import hookimpl

class Noisy:
    @hookimpl
    def tick_finished(report):
        raise RuntimeError("cannot count")

@pytest.fixture
def guanai_plugins():
    return [Noisy]

def test_tick(guanai):
    guanai.tick()
""",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*plugin problems while calling tick_finished:*"])
    result.stdout.fnmatch_lines(["*- Noisy: RuntimeError('cannot count')*"])


def test_without_the_plugin_the_fixtures_are_unknown(pytester: pytest.Pytester):
    result = _run(pytester, "def test_it(guanai):\n    pass\n", "-p", "no:guanai")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'guanai' not found*"])


def test_loading_the_plugin_does_not_load_the_engine():
    """The fixtures import the engine, database and feed modules only when a test uses them."""
    heavy = ("guanai.core.engine", "guanai.core.db", "guanai.testing.harness", "icalendar")
    code = f"import sys, guanai.testing; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


CHANNEL_PLUGIN = """
import pytest
from guanai import Channel, ChannelOptions, ConfigError, Label, hookimpl


class Pager(Channel):
    name = "pager"
    title = Label("寻呼", "Pager")

    def __init__(self, options: ChannelOptions) -> None:
        super().__init__(options)
        self.url = options.string("url")
        self.sent = []
        self.down = 0

    def send(self, message, delivery):
        if self.down:
            self.down -= 1
            raise ConnectionRefusedError("pager down")
        self.sent.append(message)


class PagerPlugin:
    @hookimpl
    def register_channels(register):
        register(Pager)


@pytest.fixture
def guanai_plugins():
    return [PagerPlugin]
"""


def test_a_channel_authors_tests_queue_reminders_and_deliver_them(pytester: pytest.Pytester):
    result = _run(
        pytester,
        CHANNEL_PLUGIN
        + """
def test_digests_reach_the_pager(guanai_channel):
    rig = guanai_channel("pager", {"url": "https://pager.example/api"})
    queued = rig.queue("2026-09-15T08:00")
    assert queued > 0 and rig.states() == {"pending": queued}
    rig.channel.down = 1
    first = rig.deliver()
    assert (first.sent, first.retried) == (queued - 1, 1)
    later = rig.deliver("2026-09-15T09:00")
    assert later.sent == 1 and rig.states() == {"sent": queued}
    assert len({m.key for m in rig.channel.sent}) == queued
    assert {m.channel for m in rig.channel.sent} == {"pager"}


def test_a_missing_option_fails_when_the_channel_opens(guanai_channel):
    with pytest.raises(ConfigError, match="channels.pager.url"):
        guanai_channel("pager")


def test_an_unregistered_channel_fails_the_test(guanai_channel):
    guanai_channel("fax")
""",
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*no reminder channel 'fax' is registered (registered: *pager*"])


def test_the_channel_and_dashboard_fixtures_come_with_the_plugin(pytester: pytest.Pytester):
    source = (
        "from guanai.testing import settle\n"
        "def test_it(guanai_channel, guanai_dashboard):\n"
        "    assert callable(guanai_channel) and callable(guanai_dashboard) and settle\n"
    )
    _run(pytester, source).assert_outcomes(passed=1)


def one_table_app() -> Any:
    """An app showing one empty DataTable."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class OneTable(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    return OneTable()


async def test_settle_waits_until_every_table_has_measured_its_rows():
    from rich.cells import cell_len
    from textual.widgets import DataTable

    from guanai.testing.dashboard import _tables_unmeasured, settle

    async with one_table_app().run_test(size=(80, 10)) as pilot:
        table = pilot.app.query_one(DataTable)
        table.add_column("班级", key="class")
        table.add_row("一年级1班（住校）")
        assert _tables_unmeasured(pilot.app)  # Textual measures on the table's next Idle
        await settle(pilot)
        assert not _tables_unmeasured(pilot.app)
        assert table.columns["class"].content_width == cell_len("一年级1班（住校）")


async def test_settle_redraws_tables_from_their_current_widths():
    from textual.widgets import DataTable

    from guanai.testing.dashboard import _redraw, settle

    async with one_table_app().run_test(size=(80, 10)) as pilot:
        table = pilot.app.query_one(DataTable)
        table.add_column("班级", key="class")
        table.add_row("一年级1班")
        await settle(pilot)
        assert table._cell_render_cache  # the cells drawn, kept whatever the width
        _redraw(pilot.app)
        assert not table._cell_render_cache
