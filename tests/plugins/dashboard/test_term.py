"""Term: the calendar week by week, where each workflow stands, and a re-plan that shows what it
will change before it changes anything."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from panel_keys import open_panel
from rich.text import Text
from sqlalchemy import Engine, func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from guanai.core.calendar import shipped_calendars
from guanai.core.config import Settings
from guanai.core.db import session_factory
from guanai.core.models import Activity, Task
from guanai.tui import GuanaiApp

MakeApp = Callable[..., GuanaiApp]
Settle = Callable[[Pilot[None]], Awaitable[None]]


def task_states(engine: Engine) -> dict[str, int]:
    with session_factory(engine)() as session:
        return dict(session.execute(select(Task.state, func.count()).group_by(Task.state)).all())  # type: ignore[arg-type]


async def open_term(pilot: Pilot[None], settle: Settle) -> None:
    await open_panel(pilot, settle, "term")


async def test_the_calendar_marks_holidays_make_up_days_and_today(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_term(pilot, settle)
        weeks = app.query_one("#weeks", DataTable)
        assert weeks.row_count == 22 and weeks.get_row_at(7)[0] == "▶8"  # 2026-10-20's week
        national_day = weeks.get_row_at(4)  # the week of Monday 09-28
        assert national_day[1] == "09-28"
        thursday = national_day[5]
        assert isinstance(thursday, Text) and str(thursday) == " 1" and "red" in str(thursday.style)
        makeup = weeks.get_row_at(2)[8]  # Sunday 09-20, worked (调休)
        assert "yellow" in str(makeup.style)
        assert "reverse" in str(weeks.get_row_at(7)[3].style)  # today, Tuesday 10-20
        assert "国庆节" in str(national_day[9])
        summary = str(app.query_one("#term-summary", Static).render())
        assert summary == "2026—2027学年第一学期  上学日 32/104"


async def test_w_shows_where_each_workflow_stands(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_term(pilot, settle)
        await pilot.press("w")
        await settle(pilot)
        table = app.query_one("#workflows", DataTable)
        flows = {
            str(r[0]): [str(c) for c in r[1:]]
            for r in (table.get_row_at(n) for n in range(table.row_count))
        }
        # 54 children x 2 talks x 5 months, and the 6 key targets' every half month
        assert flows["谈心"] == ["660", "0 (0%)", "660", "144", "09-02"]
        assert flows["家访"][0] == "60"


async def test_replan_previews_its_changes_and_writes_only_when_confirmed(
    demo_engine: Engine, make_app: MakeApp, settle: Settle, tmp_path: Path
) -> None:
    """The calendar changes (the guardian meeting starts a school day later): the preview counts the updates,
    n leaves the database alone, y re-plans."""
    source = shipped_calendars()["2026-autumn"].read_text(encoding="utf-8")
    moved = source.replace("school_days = 2\nlength = 5", "school_days = 3\nlength = 5")
    assert moved != source
    calendar = tmp_path / "moved.toml"
    calendar.write_text(moved, encoding="utf-8")
    app = make_app(demo_engine)
    app.service.settings = Settings(database_url=str(demo_engine.url), term=str(calendar))
    before = task_states(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_term(pilot, settle)
        await pilot.press("p")
        await settle(pilot)
        body = str(app.screen.query_one("#confirm-body", Static).render())
        assert "更新任务: 2" in body and "新建任务: 0" in body
        await pilot.press("n")
        await settle(pilot)
        assert task_states(demo_engine) == before
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    with session_factory(demo_engine)() as session:
        moved_to = session.scalar(
            select(Activity.starts_on).where(Activity.type == "guardian_meeting")
        )
    assert str(moved_to) == "2026-11-10"
