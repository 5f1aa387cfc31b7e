"""The dashboard as ``guanai tui`` opens it on a database ``guanai demo`` made, and who may act."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from panel_keys import open_panel
from sqlalchemy import Engine, func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TabbedContent

from guanai.cli import cli
from guanai.core.config import Settings
from guanai.core.db import session_factory, transaction
from guanai.core.demo import create_synthetic_schools
from guanai.core.models import Account, OutboxMessage, School
from guanai.core.pm import build_plugin_manager
from guanai.tui import Dashboard, GuanaiApp

MakeApp = Callable[..., GuanaiApp]
Settle = Callable[[Pilot[None]], Awaitable[None]]


async def test_guanai_tui_opens_the_demo_database_at_a_frozen_time(
    _demo_template: Path, settle: Settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``guanai demo`` then ``guanai tui --now``: the app it builds shows the demo school."""
    opened: list[GuanaiApp] = []
    monkeypatch.setattr(GuanaiApp, "run", lambda self: opened.append(self))
    url = f"sqlite:///{_demo_template}"
    result = CliRunner().invoke(cli, ["--db", url, "tui", "--now", "2026-10-20T08:00:00+08:00"])
    assert result.exit_code == 0, result.output
    (app,) = opened
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert str(app.query_one("#today-summary", Static).render()).startswith("2026-10-20 周二")
        for key, tab in zip(
            "123456", ("today", "term", "children", "teachers", "reminders", "plugins"), strict=True
        ):
            await pilot.press(key)
            await settle(pilot)
            assert app.query_one(TabbedContent).active == f"tab-{tab}"
        await pilot.press("q")
    app.dashboard.engine.dispose()


def test_guanai_tui_refuses_a_database_that_is_not_set_up(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path}/empty.db", "tui"])
    assert result.exit_code == 1 and "guanai init" in result.output


async def test_only_a_coordinator_may_act(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    with transaction(demo_engine) as session:
        session.add_all(
            [Account(name="office", role="coordinator"), Account(name="li", role="teacher")]
        )
    app = make_app(demo_engine, actor="li")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_panel(pilot, settle, "reminders")
        assert app.query_one("#outbox", DataTable).row_count == 7  # reading is allowed
        await pilot.press("a", "y")
        await settle(pilot)
        assert any("无权" in str(n.message) for n in app._notifications)
    with session_factory(demo_engine)() as session:
        failed = select(func.count()).where(OutboxMessage.state == "failed")
        assert session.scalar(failed) == 2


async def test_school_narrows_every_panel_to_the_chosen_school(
    demo_engine: Engine, settle: Settle
) -> None:
    """A city install: ``guanai tui --school CODE`` shows that school, its roster only."""
    with transaction(demo_engine) as session:
        (other,) = create_synthetic_schools(session, schools=1, children_per_school=7)
        code = session.scalar(select(School.code).where(School.id == other))
    dashboard = Dashboard(
        Settings(database_url=str(demo_engine.url)),
        build_plugin_manager(load_entry_points=False),
        demo_engine,
        "tester",
        school_code=code,
    )
    app = GuanaiApp(dashboard)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        status = str(app.query_one("#children-status", Static).render())
        assert status.startswith("共 7 人"), status


def test_an_unknown_school_is_refused_before_the_dashboard_opens(_demo_template: Path) -> None:
    url = f"sqlite:///{_demo_template}"
    result = CliRunner().invoke(cli, ["--db", url, "tui", "--school", "NOPE"])
    assert result.exit_code == 1 and "NOPE" in result.output
