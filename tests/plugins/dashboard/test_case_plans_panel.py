"""Plans: the school's case plans with the one under the cursor beside them, and the key
targets with no individual plan named at the top."""

from __future__ import annotations

from datetime import date

from panel_keys import open_panel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from textual.widgets import DataTable, Static

from guanai.core.models import Child
from guanai.tui import GuanaiApp


def plans_of(service, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """A learning-support plan for two children, and an individual plan for one key target."""
    with Session(engine) as session:
        numbers = list(session.scalars(select(Child.student_no).order_by(Child.id).limit(2)))
        key = session.scalars(select(Child.student_no).where(Child.key_target)).first()
    service.open_case_plan(
        "learning",
        title="数学帮扶小组",
        children=numbers,
        teachers=["T002"],
        texts={"goals": "跟上进度", "times": "每周二", "content": "讲错题", "milestones": "及格"},
        checks=[date(2026, 11, 20)],
    )
    service.open_case_plan(
        "individual",
        title="个别教育方案",
        children=[key],
        teachers=["T003"],
        texts={"problems": "厌学", "measures": "每周谈心"},
        checks=[date(2026, 11, 25)],
    )


async def test_the_plans_are_listed_and_the_highlighted_one_is_shown(
    demo_engine: Engine, make_service, settle
) -> None:
    service = make_service(demo_engine)
    plans_of(service, demo_engine)
    app = GuanaiApp(service)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_panel(pilot, settle, "case_plans")
        table = app.query_one("#plans", DataTable)
        rows = [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]
        assert [row[1:4] for row in rows] == [
            ["个别教育管理方案", "个别教育方案", "进行中"],
            ["学习帮扶计划", "数学帮扶小组", "进行中"],
        ]
        summary = str(app.query_one("#plans-summary", Static).render())
        assert summary.startswith("进行中的计划 2 个")
        assert "名重点帮扶对象没有个别教育方案" in summary
        await pilot.press("down")
        await settle(pilot)
        detail = str(app.query_one("#plan-detail", Static).render())
        assert "帮扶目标：跟上进度" in detail and "检查 2026-11-20：已完成 0，未完成 2" in detail
