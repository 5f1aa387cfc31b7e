"""The dashboard shell shows the panels plugins register, as tabs, and quits on q."""

from __future__ import annotations

from sqlalchemy import Engine
from textual.widgets import Static

from guanai.core.config import Settings
from guanai.core.pm import build_plugin_manager
from guanai.tui import Dashboard, GuanaiApp


async def test_the_dashboard_shell_lists_activity_types_and_quits_on_q(engine: Engine) -> None:
    pm = build_plugin_manager(load_entry_points=False)
    app = GuanaiApp(Dashboard(Settings(database_url=str(engine.url)), pm, engine, "tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        text = str(app.query_one("#activity-types", Static).render())
        assert "谈心" in text and "元旦联欢会" in text
        await pilot.press("q")
    assert app.return_code == 0
