"""What the Children screen and its dialogs look like at 80x24, with time and data frozen.

Update after a deliberate change with ``pytest --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

from _children_fixtures import children_app, open_children
from roster_samples import child, write_roster
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import Input

SIZE = (80, 24)


def no_blink(pilot: Pilot[None]) -> None:
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def test_snapshot_children_panel(demo_engine: Engine, make_app, settle, snap_compare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_children(pilot, settle)
        await pilot.press("down", "down")
        no_blink(pilot)

    app = children_app(make_app, demo_engine)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_children_panel_searched_and_filtered(
    demo_engine: Engine, make_app, settle, snap_compare
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_children(pilot, settle)
        await pilot.press("g", "g", "g", "slash", *"2024010")
        await settle(pilot)
        no_blink(pilot)

    app = children_app(make_app, demo_engine)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_child_card_tasks(demo_engine: Engine, make_app, settle, snap_compare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_children(pilot, settle)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)

    app = children_app(make_app, demo_engine)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_record_form_with_errors(
    demo_engine: Engine, make_app, settle, snap_compare
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_children(pilot, settle)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k", *"2026-10-32", "ctrl+s")
        await settle(pilot)
        no_blink(pilot)

    app = children_app(make_app, demo_engine)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_pairing_dialog(demo_engine: Engine, make_app, settle, snap_compare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_children(pilot, settle)
        await pilot.press("e")
        await settle(pilot)
        no_blink(pilot)

    app = children_app(make_app, demo_engine)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_import_report(
    demo_engine: Engine, make_app, settle, snap_compare, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a relative path: the same text on every machine
    write_roster(Path("roster.csv"), [child(1), child(2, **{"child.gender": ""})])

    async def run_before(pilot: Pilot[None]) -> None:
        await open_children(pilot, settle)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press(*"roster.csv", "enter")
        await settle(pilot)
        no_blink(pilot)

    app = children_app(make_app, demo_engine)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
