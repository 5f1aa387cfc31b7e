"""What the Children panel's tests share: the app with the built-in panels, and helpers that
open the panel and read the screen.

The demo database, the frozen clock, ``make_app`` and ``settle`` come from conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from panel_keys import open_panel
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from guanai.core.pm import GuanaiPluginManager, build_plugin_manager
from guanai.tui import GuanaiApp


def plugin_manager() -> GuanaiPluginManager:
    return build_plugin_manager(load_entry_points=False)


def children_app(make_app: Callable[..., GuanaiApp], engine: Engine, **options: Any) -> GuanaiApp:
    return make_app(engine, pm=plugin_manager(), **options)


async def open_children(pilot: Pilot[None], settle: Callable[[Pilot[None]], Any]) -> None:
    """Switch to the Children tab with its number key, as a user does, and wait for its rows."""
    await open_panel(pilot, settle, "children")


def rows(app: Any, selector: str = "#children-table") -> list[list[str]]:
    """The cells of a table as text, row by row."""
    table = app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


def text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())
