"""From the Plans panel the coordinator opens, revises and closes plans (n, e, c) as
``guanai caseplan`` does, and reads each plan's reviews: its checks' records."""

from __future__ import annotations

from datetime import date, datetime

from panel_keys import open_panel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from test_case_plans_panel import plans_of
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static, TextArea

from guanai.core.models import Child
from guanai.core.schools import SCHOOL_TIMEZONE
from guanai.plugins.dashboard.case_plan_dialog import CasePlanDialog, ClosePlanDialog
from guanai.tui import GuanaiApp


def first_children(engine: Engine, n: int) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(Child.student_no).order_by(Child.id).limit(n)))


def fill_in(dialog: CasePlanDialog, **values: str) -> None:
    """Type into the dialog's inputs and text areas by their ids (plan-<name>)."""
    for name, value in values.items():
        widget = dialog.query_one(f"#plan-{name}")
        if isinstance(widget, TextArea):
            widget.text = value
        else:
            assert isinstance(widget, Input)
            widget.value = value


def error_of(app: GuanaiApp) -> str:
    return str(app.screen.query_one("#plan-error", Static).render())


async def highlight(pilot: Pilot, settle, title: str) -> None:  # type: ignore[no-untyped-def]
    """Move the plans table's cursor to the plan called ``title``."""
    table = pilot.app.query_one("#plans", DataTable)
    row = next(n for n in range(table.row_count) if table.get_row_at(n)[2] == title)
    table.move_cursor(row=row)
    await settle(pilot)


async def test_a_plan_opened_from_the_dashboard_is_stored_with_its_checks(
    demo_engine: Engine, make_service, settle
) -> None:
    service = make_service(demo_engine)
    children = first_children(demo_engine, 2)
    app = GuanaiApp(service)
    async with app.run_test(size=(110, 40)) as pilot:
        await open_panel(pilot, settle, "case_plans")
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CasePlanDialog)
        fill_in(
            dialog,
            title="语文阅读小组",
            children=f"{children[0]}，{children[1]}",
            teachers="T002",
            checks="2026-11-20 2026-12-18",
            **{"text-goals": "读完两本书", "text-times": "每周四", "text-content": "共读"},
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "阶段性效果目标" in error_of(app), "a required text left empty is named"
        fill_in(dialog, **{"text-milestones": "能复述故事"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, CasePlanDialog)
        table = app.query_one("#plans", DataTable)
        assert [str(c) for c in table.get_row_at(0)][1:5] == [
            "学习帮扶计划",
            "语文阅读小组",
            "进行中",
            "2",
        ]
    [row] = service.case_plans()
    view = service.case_plan(row.id)
    assert view.texts["milestones"] == "能复述故事"
    assert [check.due_on for check in view.checks] == [date(2026, 11, 20), date(2026, 12, 18)]
    assert [check.open for check in view.checks] == [2, 2]


async def test_the_kind_chosen_decides_which_texts_are_asked_for(
    demo_engine: Engine, make_service, settle
) -> None:
    app = GuanaiApp(make_service(demo_engine))
    async with app.run_test(size=(110, 40)) as pilot:
        await open_panel(pilot, settle, "case_plans")
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#plan-text-goals").display
        assert not dialog.query_one("#plan-text-problems").display
        dialog.query_one("#plan-kind", Select).value = "individual"
        await settle(pilot)
        assert not dialog.query_one("#plan-text-goals").display
        assert dialog.query_one("#plan-text-problems").display


async def test_what_cannot_be_read_or_is_refused_is_said_and_nothing_is_stored(
    demo_engine: Engine, make_service, settle
) -> None:
    service = make_service(demo_engine)
    app = GuanaiApp(service)
    async with app.run_test(size=(110, 40)) as pilot:
        await open_panel(pilot, settle, "case_plans")
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        texts = {"text-goals": "g", "text-times": "t", "text-content": "c", "text-milestones": "m"}
        fill_in(dialog, title="t", children="999999", teachers="T002", checks="11月20日", **texts)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(app).startswith("检查日期「11月20日」应写成 2026-10-20")
        fill_in(dialog, checks="2026-11-20")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "999999" in error_of(app)
        assert isinstance(app.screen, CasePlanDialog)
        await pilot.press("escape")
        await settle(pilot)
    assert service.case_plans() == []


async def test_a_revision_sends_only_what_changed_and_keeps_the_old_version(
    demo_engine: Engine, make_service, settle
) -> None:
    service = make_service(demo_engine)
    plans_of(service, demo_engine)
    app = GuanaiApp(service)
    async with app.run_test(size=(110, 40)) as pilot:
        await open_panel(pilot, settle, "case_plans")
        await highlight(pilot, settle, "数学帮扶小组")
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#plan-title", Input).value == "数学帮扶小组"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(app) == "计划没有变化"
        fill_in(dialog, **{"text-goals": "期末及格", "note": "期中后调整"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, CasePlanDialog)
        detail = str(app.query_one("#plan-detail", Static).render())
        assert "帮扶目标：期末及格" in detail and "第 2 版 · tester · 期中后调整" in detail
    plan = next(row for row in service.case_plans() if row.title == "数学帮扶小组")
    versions = service.case_plan(plan.id).versions
    assert [v.content["texts"]["goals"] for v in versions] == ["跟上进度", "期末及格"]
    assert versions[1].content["texts"]["times"] == "每周二"


async def test_closing_asks_for_the_outcome_and_a_closed_plan_no_longer_changes(
    demo_engine: Engine, make_service, settle
) -> None:
    service = make_service(demo_engine)
    plans_of(service, demo_engine)
    app = GuanaiApp(service)
    async with app.run_test(size=(110, 40)) as pilot:
        await open_panel(pilot, settle, "case_plans")
        await highlight(pilot, settle, "个别教育方案")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ClosePlanDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "结果" in error_of(app), "an empty outcome is refused, naming the field"
        await pilot.press(*"已转介心理老师", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ClosePlanDialog)
        await highlight(pilot, settle, "个别教育方案")
        assert "结果：已转介心理老师" in str(app.query_one("#plan-detail", Static).render())
        await pilot.press("e")
        await settle(pilot)
        assert not isinstance(app.screen, CasePlanDialog)
    statuses = {row.title: row.status for row in service.case_plans()}
    assert statuses == {"个别教育方案": "closed", "数学帮扶小组": "open"}


async def test_the_highlighted_plan_shows_its_reviews(
    demo_engine: Engine, make_service, settle
) -> None:
    service = make_service(demo_engine)
    plans_of(service, demo_engine)
    [check, *_] = [t for t in service.tasks() if t.activity_key.startswith("case:")]
    record = {"date": "2026-11-19", "done": "讲了分数", "result": "错题减半", "milestone_met": "否"}
    service.complete(check.id, record, now=datetime(2026, 11, 19, 16, tzinfo=SCHOOL_TIMEZONE))
    app = GuanaiApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_panel(pilot, settle, "case_plans")
        await highlight(pilot, settle, "数学帮扶小组")
        detail = str(app.query_one("#plan-detail", Static).render())
    assert "检查记录：" in detail
    assert f"2026-11-20 · {check.child_name} · " in detail and "已完成" in detail
    assert "错题减半" in detail and "：否" in detail
