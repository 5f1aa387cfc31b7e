"""Opening a panel as a user does: by its number key, found from the panels' order, so a
panel added before it does not change which key a test presses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

from guanai.tui import GuanaiApp


async def open_panel(
    pilot: Pilot[None], settle: Callable[[Pilot[None]], Awaitable[None]], panel_id: str
) -> None:
    app = pilot.app
    assert isinstance(app, GuanaiApp)
    await settle(pilot)
    number = [panel.panel_id for panel in app.panels].index(panel_id) + 1
    await pilot.press(str(number))
    await settle(pilot)
