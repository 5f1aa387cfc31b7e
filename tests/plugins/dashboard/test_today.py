"""Today: open work by teacher or by class, the latest first, and the term's next events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from guanai.tui import GuanaiApp

MakeApp = Callable[..., GuanaiApp]
Settle = Callable[[Pilot[None]], Awaitable[None]]


def rows(table: DataTable[object]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


async def test_today_counts_open_work_by_teacher_then_by_class(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        summary = str(app.query_one("#today-summary", Static).render())
        assert summary.startswith("2026-10-20 周二") and "已上报 366" in summary
        by_teacher = rows(app.query_one("#workload", DataTable))
        assert len(by_teacher) == 23
        late = [int(r[2]) + int(r[3]) for r in by_teacher]
        assert late == sorted(late, reverse=True)  # the most late work first
        await pilot.press("g")
        await settle(pilot)
        by_class = rows(app.query_one("#workload", DataTable))
        assert by_class[0][0].endswith("班") and by_class[-1][0] == "（全校）"
        assert sum(int(r[1]) for r in by_class) == sum(int(r[1]) for r in by_teacher) == 144


async def test_next_events_start_with_what_is_under_way(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        events = rows(app.query_one("#events", DataTable))
        assert events[0][0] == "10-08–10-30" and ["10-08–10-30", "亲情电话"] in events
        assert ["10-12–11-27", "家访"] in events
        assert len(events) == 8
