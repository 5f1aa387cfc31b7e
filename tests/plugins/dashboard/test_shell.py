"""The dashboard as ``guanai tui`` opens it on a database ``guanai demo`` made, and who may
open it: a coordinator of the school shown, and nobody else."""

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
from guanai.core.access import AccessError
from guanai.core.db import session_factory, transaction
from guanai.core.demo import create_synthetic_schools
from guanai.core.models import Account, OutboxMessage, School
from guanai.tui import GuanaiApp, RosterFilter

MakeApp = Callable[..., GuanaiApp]
MakeService = Callable[..., object]
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
        tabs = ("today", "term", "children", "teachers", "reminders", "case_plans", "plugins")
        for key, tab in zip("1234567", tabs, strict=True):
            await pilot.press(key)
            await settle(pilot)
            assert app.query_one(TabbedContent).active == f"tab-{tab}"
        await pilot.press("q")
    app.service.close()


def test_guanai_tui_refuses_a_database_that_is_not_set_up(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path}/empty.db", "tui"])
    assert result.exit_code == 1 and "guanai init" in result.output


def accounts(engine: Engine) -> dict[str, str]:
    """An office coordinator of the demo school, one bound to another school, a teacher and
    the bureau; returns the other school's code."""
    with transaction(engine) as session:
        demo = session.scalar(select(School.id).order_by(School.id).limit(1))
        (other,) = create_synthetic_schools(session, schools=1, children_per_school=7)
        session.add_all(
            [
                Account(name="office", role="coordinator", school_id=demo),
                Account(name="elsewhere", role="coordinator", school_id=other),
                Account(name="li", role="teacher"),
                Account(name="head", role="head_teacher"),
                Account(name="city", role="bureau"),
            ]
        )
        codes = dict(session.execute(select(School.code, School.id)).all())
    return {
        "demo": next(c for c, i in codes.items() if i == demo),
        "other": next(c for c, i in codes.items() if i == other),
    }


@pytest.mark.parametrize(
    ("actor", "school", "refusal"),
    [
        ("nobody", None, "没有账号"),
        ("li", None, "无权"),
        ("head", None, "无权"),
        ("city", None, "无权"),
        ("elsewhere", "demo", "只能处理本校"),
    ],
)
async def test_the_dashboard_refuses_to_open_for_an_account_that_may_not_use_it(
    demo_engine: Engine, make_service: MakeService, actor: str, school: str | None, refusal: str
) -> None:
    codes = accounts(demo_engine)
    service = make_service(demo_engine, actor=actor, school_code=codes.get(school or ""))
    app = GuanaiApp(service)  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)):
        pass  # it exits by itself, before any panel is built
    assert app.return_code == 1
    assert refusal in str(app.refusal)
    assert not app.query(TabbedContent)
    with session_factory(demo_engine)() as session:
        failed = select(func.count()).where(OutboxMessage.state == "failed")
        assert session.scalar(failed) == 2


async def test_a_coordinator_of_the_school_opens_it(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    accounts(demo_engine)
    app = make_app(demo_engine, actor="office")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_panel(pilot, settle, "reminders")
        assert app.refusal is None
        assert app.query_one("#outbox", DataTable).row_count == 7


async def test_school_narrows_every_panel_to_the_chosen_school(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    """A city install: ``guanai tui --school CODE`` shows that school, its roster only."""
    codes = accounts(demo_engine)
    with transaction(demo_engine) as session:
        session.execute(Account.__table__.delete())  # a single-user install again
    app = make_app(demo_engine, school_code=codes["other"])
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


PANEL_READS = (
    lambda service: service.today_view(),
    lambda service: service.term_view(),
    lambda service: service.teachers_view(),
    lambda service: service.reminders_view(),
    lambda service: service.workflow_tasks("talk"),
    lambda service: service.roster_count(RosterFilter()),
    lambda service: service.roster_page(RosterFilter()),
    lambda service: service.import_school_code(),
    lambda service: service.mark_office_inbox_read(),
)


@pytest.mark.parametrize("actor", ["nobody", "li", "head", "city", "elsewhere"])
def test_every_panel_read_refuses_an_account_that_may_not_use_the_dashboard(
    demo_engine: Engine, make_service: MakeService, actor: str
) -> None:
    """Defence in depth: a panel driven without the app's check still reads nothing."""
    codes = accounts(demo_engine)
    service = make_service(demo_engine, actor=actor, school_code=codes["demo"])
    for read in PANEL_READS:
        with pytest.raises(AccessError):
            read(service)
