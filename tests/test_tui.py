"""The dashboard shell starts, lists the installed activity types and quits on q."""

from __future__ import annotations

from textual.widgets import Static

from guanai.core.pm import build_plugin_manager
from guanai.tui import GuanaiApp


async def test_the_dashboard_shell_lists_activity_types_and_quits_on_q() -> None:
    app = GuanaiApp(build_plugin_manager(load_entry_points=False))
    async with app.run_test(size=(80, 24)) as pilot:
        text = str(app.query_one("#activity-types", Static).render())
        assert "谈心" in text and "元旦联欢会" in text
        await pilot.press("q")
    assert app.return_code == 0
