"""Listings say what they leave out, and times are printed on the schools' clock, saying so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, select

from guanai.cli import cli
from guanai.cli.times import school_time, zoned, zoned_time
from guanai.core.i18n import Label, set_language
from guanai.core.models import Child, FeedSubscription
from guanai.core.pm import build_plugin_manager

DEMO_NOW = "2026-09-14T08:00"


@pytest.fixture
def run(database_url: str):
    runner = CliRunner()
    pm = build_plugin_manager(load_entry_points=False)
    pm.hook.register_commands(cli=cli)  # as guanai.cli.main does: feeds, serve, export-ics

    def invoke(*args: str) -> Result:
        result = runner.invoke(cli, ["--db", database_url, *args], obj=pm, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result

    invoke("init")
    invoke("demo", "--children", "30", "--now", DEMO_NOW)
    return invoke


def _task_rows(output: str) -> list[str]:
    """The table rows of ``output`` that end in a task number."""
    return [
        line
        for line in output.splitlines()
        if line.startswith("│") and line.split("│")[-2].strip().isdigit()
    ]


def _scalar(database_url: str, query):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(query)
    finally:
        engine.dispose()


def _tables(output: str) -> tuple[str, str]:
    """The agenda's output up to its overdue table, and from there."""
    upcoming, overdue = output.split("逾期（")
    return upcoming, overdue


def test_the_agenda_shows_at_most_limit_rows_of_each_table_and_says_how_many_more(run):
    args = ("agenda", "--date", "2026-09-14", "--days", "30")
    whole = run(*args, "--limit", "100000").output
    totals = [len(_task_rows(table)) for table in _tables(whole)]
    assert min(totals) > 2 and "还有" not in whole
    page = run(*args, "--limit", "2").output
    for table, total in zip(_tables(page), totals, strict=True):
        assert len(_task_rows(table)) == 2
        assert f"还有 {total - 2} 项（--limit 调整）" in table
    english = run("--lang", "en", *args, "--limit", "2").output
    assert f"{totals[0] - 2} more (--limit)" in english


def test_child_history_is_in_beijing_time_and_says_so(run, database_url: str):
    student = _scalar(database_url, select(Child.student_no).order_by(Child.id))
    run("child", "set", student, "备注=已家访", "--now", "2026-09-14T23:30+00:00")
    shown = run("child", "show", student).output
    assert "时间（北京时间）" in shown
    assert "2026-09-15 07:30" in shown and "2026-09-14 23:30" not in shown


def test_feed_times_are_in_beijing_time_and_say_so(run, database_url: str):
    run("feeds", "issue", "--all-school", "--no-qr")
    created = _scalar(database_url, select(FeedSubscription.created_at))
    listed = run("--lang", "en", "feeds", "list").output
    assert "created (Beijing time)" in listed
    assert school_time(created) in listed and "Z" not in listed


def test_tick_names_the_zone_of_its_time(run):
    ticked = run("tick", "--now", "2026-09-15T00:00+00:00").output
    assert ticked.startswith("2026-09-15 08:00（北京时间）：")


def test_a_stored_utc_time_is_shown_on_the_schools_clock():
    at = datetime(2026, 12, 31, 16, 5, tzinfo=UTC)
    assert school_time(at) == "2027-01-01 00:05"
    assert zoned(Label("时间", "when")) == "时间（北京时间）"
    set_language("en")  # the autouse fixture restores Chinese
    assert zoned_time(at) == "2027-01-01 00:05 (Beijing time)"
    assert zoned(Label("时间", "when")) == "when (Beijing time)"
