"""docs/calendars.md's example of activities of one's own is true, from plan to record to feed
to ledger: the example, added to the shipped autumn calendar, is planned at a demo school, and
what it defines is planned, recorded, shown in a teacher's feed and counted in the ledger, by
this process and by another one that never read the file."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from guanai import Guanai
from guanai.core.calendar import shipped_calendars
from guanai.core.feeds.scope import DONE_MARK
from guanai.core.models import Child
from guanai.core.pm import build_plugin_manager
from guanai.testing.harness import Harness

CALENDARS = Path(__file__).parents[2] / "docs" / "calendars.md"
EXAMPLE = re.compile(r"<!-- example: own-activities -->\n```toml\n(.*?)^```", re.M | re.S)


def example() -> str:
    found = EXAMPLE.search(CALENDARS.read_text(encoding="utf-8"))
    assert found, "docs/calendars.md has no own-activities example"
    return found.group(1)


@pytest.fixture
def guanai_term(tmp_path: Path) -> str:
    """The shipped autumn calendar with the example added."""
    autumn = shipped_calendars()["2026-autumn"].read_text(encoding="utf-8")
    path = tmp_path / "my-term.toml"
    path.write_text(autumn + "\n" + example(), encoding="utf-8")
    return str(path)


@pytest.fixture
def guanai_children() -> int:
    return 60


def children_with(guanai: Harness, category: str) -> set[str]:
    with guanai.session() as session:
        rows = session.execute(select(Child.id, Child.care_categories)).all()
    return {f"k{child}" for child, categories in rows if category in categories}


def test_the_example_plans_what_it_defines(guanai: Harness) -> None:
    summary = guanai.plan()
    assert summary.created > 0
    prepare = guanai.tasks("reading_week", "prepare")
    hold = guanai.tasks("reading_week", "hold")
    assert [t.assignee_code for t in prepare] == [guanai.school.coordinator_code]
    assert {t.assignee_code for t in hold} == set(guanai.school.head_teacher_codes)
    assert {str(t.scheduled_on) for t in prepare} == {"2026-11-02"}, "5 school days before"
    assert {str(t.due_on) for t in hold} == {"2026-11-27"}


def test_a_selection_covers_only_the_children_it_names(guanai: Harness) -> None:
    guanai.plan()
    calls = guanai.tasks("study_support_call")
    study = children_with(guanai, "study")
    assert study and {t.subject for t in calls} == study
    assert len(calls) == len(study) * 5, "every month, September to January"
    extra = [t for t in guanai.tasks("talk") if t.activity_key.startswith("talk@after:")]
    assert {t.subject for t in extra} == children_with(guanai, "psychological")


def test_a_record_reaches_the_feed_and_the_ledger(guanai: Harness, tmp_path: Path) -> None:
    guanai.plan()
    task = guanai.tasks("reading_week", "hold")[0]
    guanai.clock.set("2026-11-20T16:00")
    guanai.complete(
        task.id, held_on="2026-11-20", participants=38, summary="全班共读", books="《草房子》"
    )
    assert guanai.tasks("reading_week", "hold", "done") == [replace(task, state="done")]

    feed = guanai.feed(task.assignee_code or "")
    summaries = [str(e.get("SUMMARY")) for e in feed.walk("VEVENT")]
    done = [s for s in summaries if "班级读书周" in s and s.startswith(DONE_MARK)]
    assert len(done) == 1 and "开展班级读书活动" in done[0]

    path = tmp_path / "ledger.xlsx"
    guanai.service.ledger(path)
    sheet = openpyxl.load_workbook(path, read_only=True)["活动开展"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[1] == "班级读书周"]
    assert [(r[5], r[6]) for r in rows] == [(1, len(guanai.school.head_teacher_codes) + 1)]


def test_another_process_knows_the_activity_from_the_database(guanai: Harness) -> None:
    guanai.plan()
    task = guanai.tasks("study_support_call")[0]
    # a new plugin manager and service, as the daemon or `guanai serve` would start: only the
    # database tells them of the calendar's types
    other = Guanai(
        guanai.settings,
        build_plugin_manager(load_entry_points=False),
        "关爱办",
        engine=guanai.engine,
        clock=lambda: guanai.clock.now,
        school_code=guanai.school.code,
    )
    assert "study_support_call" in other.registry
    assert other.registry.owners["study_support_call"] == "calendar:2026-autumn"
    assert other.task(task.id).step_title.zh == "确认完成"
