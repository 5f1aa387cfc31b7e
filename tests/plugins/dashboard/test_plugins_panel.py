"""Plugins: each loaded plugin with its version, activity types and hooks; failures listed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from panel_keys import open_panel
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from guanai import hookimpl
from guanai.core.pm import build_plugin_manager
from guanai.tui import GuanaiApp

MakeApp = Callable[..., GuanaiApp]
Settle = Callable[[Pilot[None]], Awaitable[None]]


class Broken:
    @hookimpl
    def register_activity_types(self, register: Callable[[type], None]) -> None:
        raise RuntimeError("boom")


async def test_plugins_lists_built_ins_and_a_failing_plugin(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    pm = build_plugin_manager(load_entry_points=False)
    pm.register(Broken(), name="broken")
    app = make_app(demo_engine, pm=pm)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_panel(pilot, settle, "plugins")
        table = app.query_one("#plugins", DataTable)
        rows = {
            str(r[0]): [str(c) for c in r[1:]]
            for r in map(table.get_row_at, range(table.row_count))
        }
        assert rows["talks"][1:] == ["谈心", "activity_types"]
        assert rows["meetings"][1] == "监护人会、关爱留守儿童主题班会"
        assert rows["dashboard"][2] == "panels"
        assert "broken" in rows
        problems = str(app.query_one("#plugin-problems", Static).render())
        assert problems.startswith("⚠ broken: RuntimeError('boom')")
