"""What each screen looks like in an 80x24 terminal, on the demo school at 2026-10-20 08:00.

Regenerate after a deliberate change, and look at the SVGs before committing them:
``pytest tests/plugins/dashboard/test_snapshots_a.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot

from guanai.core.i18n import set_language
from guanai.tui import GuanaiApp

MakeApp = Callable[..., GuanaiApp]
Settle = Callable[[Pilot[None]], Awaitable[None]]

SCREENS = {
    "today": ("1",),
    "today-by-class": ("1", "g"),
    "term-calendar": ("2",),
    "term-workflows": ("2", "w"),
    "teachers": ("4",),
    "teachers-charts": ("4", "g"),
    "reminders": ("5",),
    "reminders-retry-all": ("5", "a"),
    "case-plans": ("6",),
    "plugins": ("7",),
    "help": ("2", "question_mark"),
}


@pytest.mark.parametrize("screen", SCREENS)
def test_screen(
    screen: str, demo_engine: Engine, make_app: MakeApp, settle: Settle, snap_compare: Any
) -> None:
    async def keys(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(make_app(demo_engine), run_before=keys, terminal_size=(80, 24))


def test_today_in_english(
    demo_engine: Engine, make_app: MakeApp, settle: Settle, snap_compare: Any
) -> None:
    set_language("en")  # the autouse settings fixture restores Chinese
    assert snap_compare(make_app(demo_engine), run_before=settle, terminal_size=(80, 24))
