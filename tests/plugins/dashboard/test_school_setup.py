"""The school set up from the dashboard: ``s`` on the Teachers panel renames the school, adds a
class and adds a teacher through the service's set-up actions, with their refusals shown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from panel_keys import open_panel
from sqlalchemy import Engine, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from guanai.core.db import session_factory
from guanai.core.models import AuditEvent, School, SchoolClass, Teacher
from guanai.plugins.dashboard.school_setup import SchoolSetupScreen
from guanai.tui import GuanaiApp

MakeApp = Callable[..., GuanaiApp]
Settle = Callable[[Pilot[None]], Awaitable[None]]


async def _type(pilot: Pilot[None], settle: Settle, field: str, text: str) -> None:
    app = pilot.app
    app.screen.query_one(f"#{field}", Input).focus()
    await pilot.press(*text)
    await settle(pilot)


def _status(app: GuanaiApp) -> str:
    return str(app.screen.query_one("#setup-status", Static).render())


async def test_s_renames_the_school_and_adds_a_class_and_a_teacher(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_panel(pilot, settle, "teachers")
        rows = app.query_one("#teachers", DataTable).row_count
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SchoolSetupScreen)
        name = app.screen.query_one("#school-name", Input)
        assert name.value == "关爱示范小学"
        name.value = ""
        await _type(pilot, settle, "school-name", "某某镇中心小学")
        await pilot.press("enter")
        await settle(pilot)
        assert _status(app) == "学校改名：已完成"

        await _type(pilot, settle, "teacher-code", "T900")
        await _type(pilot, settle, "teacher-name", "周老师")
        await _type(pilot, settle, "teacher-phone", "12345")
        await pilot.press("enter")
        await settle(pilot)
        assert _status(app) == "电话：电话应为手机号或带区号的座机号"
        phone = app.screen.query_one("#teacher-phone", Input)
        phone.value = ""
        await _type(pilot, settle, "teacher-phone", "13700137000")
        await pilot.press("enter")
        await settle(pilot)
        assert _status(app) == "添加教师：已完成"
        assert app.screen.query_one("#teacher-code", Input).value == ""

        await _type(pilot, settle, "class-name", "六年级3班")
        await _type(pilot, settle, "class-head", "T900")
        await pilot.press("enter")
        await settle(pilot)
        assert _status(app) == "添加班级：已完成"

        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SchoolSetupScreen)
        assert app.query_one("#teachers", DataTable).row_count == rows + 1
        summary = str(app.query_one("#teachers-summary", Static).render())
        assert summary.startswith("某某镇中心小学")

    with session_factory(demo_engine)() as session:
        assert session.scalars(select(School.name)).one() == "某某镇中心小学"
        teacher = session.scalars(select(Teacher).where(Teacher.code == "T900")).one()
        assert teacher.phone == "13700137000"
        head = session.scalar(
            select(SchoolClass.head_teacher_id).where(SchoolClass.name == "六年级3班")
        )
        assert head == teacher.id
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions[-3:] == ["rename_school", "add_teacher", "add_class"]


async def test_on_an_empty_database_s_creates_the_school_and_the_next_lines_go_to_it(
    engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_panel(pilot, settle, "teachers")
        summary = app.query_one("#teachers-summary", Static)
        assert "按 s 建立本校" in str(summary.render())
        await pilot.press("s")
        await settle(pilot)
        assert str(app.screen.query_one("#school-title", Static).render()) == "建立学校"
        await _type(pilot, settle, "school-code", "HN0417")
        await _type(pilot, settle, "school-name", "青山镇中心小学")
        await pilot.press("enter")
        await settle(pilot)
        assert _status(app) == "建立学校：已完成"
        code = app.screen.query_one("#school-code", Input)
        assert code.disabled and code.value == "HN0417"
        assert str(app.screen.query_one("#school-title", Static).render()) == "学校改名"

        await _type(pilot, settle, "teacher-code", "T01")
        await _type(pilot, settle, "teacher-name", "王芳")
        await pilot.press("enter")
        await settle(pilot)
        assert _status(app) == "添加教师：已完成"
        await pilot.press("escape")
        await settle(pilot)
        assert str(summary.render()).startswith("青山镇中心小学")

    with session_factory(engine)() as session:
        assert session.execute(select(School.code, School.name)).one() == (
            "HN0417",
            "青山镇中心小学",
        )
        assert session.scalars(select(Teacher.name)).all() == ["王芳"]
