"""A workflow's tasks, from the Term panel: Enter on a workflow, r completes any step.

Driven through the keyboard on the demo school at 2026-10-20 08:00 (conftest.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import Engine, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from guanai.core.db import session_factory
from guanai.core.i18n import set_language
from guanai.core.models import AuditEvent, Record, Task
from guanai.plugins.dashboard.activity_tasks import ActivityTasksScreen
from guanai.plugins.dashboard.forms import RecordForm
from guanai.tui import GuanaiApp

MakeApp = Callable[..., GuanaiApp]
Settle = Callable[[Pilot[None]], Awaitable[None]]
WELCOME = '新学期欢迎留守儿童"回家"活动'
MEETING = "监护人会"


def cell(table: DataTable[str], row: int, column: int = 0) -> str:
    return str(table.get_row_at(row)[column])


async def move_to(pilot: Pilot[None], table: DataTable[str], text: str, column: int = 0) -> int:
    """Press down until the highlighted row's ``column`` reads ``text``; its row number."""
    while cell(table, table.cursor_row, column) != text:
        assert table.cursor_row < table.row_count - 1, f"no row reads {text!r}"
        await pilot.press("down")
    return table.cursor_row


async def open_workflow(pilot: Pilot[None], settle: Settle, title: str) -> ActivityTasksScreen:
    """Term (2), its workflows (w), the row of ``title``, Enter."""
    await settle(pilot)
    await pilot.press("2", "w")
    await settle(pilot)
    await move_to(pilot, pilot.app.query_one("#workflows", DataTable), title)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ActivityTasksScreen)
    return screen


def tasks_table(app: GuanaiApp) -> DataTable[str]:
    return app.screen.query_one("#tasks-table", DataTable)


def text_of(app: GuanaiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_r_completes_the_welcome_activity_with_its_form(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_workflow(pilot, settle, WELCOME)
        assert "未完成 133 / 共 133" in text_of(app, "#tasks-title")
        table = tasks_table(app)
        row = await move_to(pilot, table, "举办欢迎活动")
        task_id = int(str(table.coordinate_to_cell_key((row, 0)).row_key.value))
        assert cell(table, row, 1) == "关爱示范小学" and cell(table, row, 5) == "已上报"
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        await pilot.press("ctrl+s")  # the place, the number and the summary are missing
        await settle(pilot)
        assert "请改正" in text_of(app, "#form-error")
        await pilot.press("tab", *"礼堂", "tab", *"58", "tab", *"歌舞与茶话", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ActivityTasksScreen)
        assert text_of(app, "#tasks-message") == "已保存"
        assert "未完成 132 / 共 133" in text_of(app, "#tasks-title")
        await pilot.press("o")  # all tasks: the finished one is last
        await settle(pilot)
        table = tasks_table(app)
        last = table.row_count - 1
        assert (cell(table, last), cell(table, last, 5)) == ("举办欢迎活动", "已完成")
        await pilot.press("ctrl+end", "r")
        await settle(pilot)
        assert text_of(app, "#tasks-message") == f"任务 {task_id} 已完成"
        await pilot.press("escape")
        await settle(pilot)
        workflows = app.query_one("#workflows", DataTable)
        row = await move_to(pilot, workflows, WELCOME)
        assert cell(workflows, row, 2) == "1 (0%)"  # the Term panel was read again
    with session_factory(demo_engine)() as session:
        task = session.get_one(Task, task_id)
        assert (task.state, task.completed_by) == ("done", "tester")
        record = session.scalars(select(Record).where(Record.task_id == task_id)).one()
        assert record.data["place"] == "礼堂" and record.data["participants"] == 58
        audit = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == task_id)).one()
        assert (audit.actor, audit.action, audit.entity) == ("tester", "complete", "task")


async def test_a_step_waiting_for_an_earlier_one_is_refused_before_the_form(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_workflow(pilot, settle, MEETING)
        table = tasks_table(app)
        row = await move_to(pilot, table, "召开监护人会")
        assert cell(table, row, 5) == "待前一步"
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ActivityTasksScreen)
        assert "须先完成步骤：通知监护人参会" in text_of(app, "#tasks-message")


async def test_o_shows_all_tasks_and_n_pages_through_a_big_workflow(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_workflow(pilot, settle, "谈心")
        table = tasks_table(app)
        assert table.row_count == 200
        assert "第 1–200 项  n 下页" in text_of(app, "#tasks-title")
        first = table.coordinate_to_cell_key((0, 0)).row_key.value
        await pilot.press("n")
        await settle(pilot)
        assert "第 201–400 项" in text_of(app, "#tasks-title")
        assert table.coordinate_to_cell_key((0, 0)).row_key.value != first
        await pilot.press("p")
        await settle(pilot)
        assert table.coordinate_to_cell_key((0, 0)).row_key.value == first
        await pilot.press("o")
        await settle(pilot)
        assert "显示全部" in text_of(app, "#tasks-title")


async def test_the_screen_speaks_english(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    set_language("en")  # the autouse settings fixture restores Chinese
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_workflow(pilot, settle, "Guardian meeting")
        table = tasks_table(app)
        headers = [str(column.label) for column in table.columns.values()]
        assert headers == ["Step", "Subject", "Assignee", "Planned", "Due", "State"]
        assert text_of(app, "#tasks-title").startswith("Guardian meeting · 24 open / 24")
        await move_to(pilot, table, "Hold the meeting")
        await pilot.press("r")
        await settle(pilot)
        message = text_of(app, "#tasks-message")
        assert "waits for step(s): Invite the guardians" in message
