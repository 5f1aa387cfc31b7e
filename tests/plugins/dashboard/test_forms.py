"""The record form: one input per field of any step, checked by ``engine.complete`` (every
problem shown at once, each under its field; a day off confirmed by saving again), saved in
one transaction, and announced to plugins after the commit."""

from __future__ import annotations

from collections.abc import Callable

from _children_fixtures import plugin_manager
from sqlalchemy import Engine, func, select
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from guanai import ActivityType, Coverage, Field, FieldKind, Label, Role, Step, hookimpl
from guanai.core.db import session_factory, transaction
from guanai.core.engine import complete
from guanai.core.models import Activity, Record, Task, TaskState
from guanai.core.record_days import DAY_OFF_MARK
from guanai.plugins.dashboard.forms import RecordForm


class Inspection(ActivityType):
    """A plugin's step whose record has one field of every kind."""

    name = "inspection"
    title = Label("自查", "Self-inspection")
    covers = Coverage.SCHOOL
    steps = (
        Step(
            "inspect",
            Label("开展自查", "Inspect"),
            Role.COORDINATOR,
            record=(
                Field("date", Label("日期", "Date"), FieldKind.DATE),
                Field("rooms", Label("检查间数", "Rooms"), FieldKind.INTEGER),
                Field("safe", Label("合格", "Safe"), FieldKind.BOOLEAN),
                Field("level", Label("等级", "Level"), FieldKind.CHOICE, choices=("好", "差")),
                Field("who", Label("检查人", "Inspector")),
                Field("notes", Label("备注", "Notes"), FieldKind.LONG_TEXT, required=False),
            ),
        ),
    )


class Listener:
    def __init__(self) -> None:
        self.heard: list[tuple[int, str, str, str]] = []

    @hookimpl
    def register_activity_types(self, register: Callable[[type], None]) -> None:
        register(Inspection)

    @hookimpl
    def task_completed(self, task_id: int, activity_type: str, step: str, actor: str) -> None:
        self.heard.append((task_id, activity_type, step, actor))


def open_talk(engine: Engine) -> tuple[int, str]:
    with session_factory(engine)() as session:
        task_id, step = session.execute(
            select(Task.id, Task.step)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.type == "talk", Task.state == TaskState.DUE.value)
            .order_by(Task.id)
            .limit(1)
        ).one()
    return task_id, step


def error(app, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(f"#error-{name}", Static).render())


async def test_each_field_kind_gets_its_own_input(demo_engine: Engine, make_app, settle) -> None:
    pm = plugin_manager()
    pm.register(Listener(), name="test-inspection")
    app = make_app(demo_engine, pm=pm)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordForm(app.service, 0, "inspection", "inspect"))
        await settle(pilot)
        form = app.screen
        kinds = {
            "date": Input,
            "rooms": Input,
            "safe": Checkbox,
            "level": Select,
            "who": Input,
            "notes": TextArea,
        }
        for name, kind in kinds.items():
            assert isinstance(form.query_one(f"#field-{name}"), kind)
        assert form.query_one("#field-date", Input).value == "2026-10-20"  # today, filled in
        assert form.query_one("#field-rooms", Input).type == "integer"


async def test_bad_fields_are_marked_beside_the_form_and_nothing_is_written(
    demo_engine: Engine, make_app, settle
) -> None:
    task_id, step = open_talk(demo_engine)
    app = make_app(demo_engine, pm=plugin_manager())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordForm(app.service, task_id, "talk", step))
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k", *"2026-13-01", "tab", *"office", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        assert error(app, "date") == "应为日期（如 2026-12-01、2026/12/1、2026年12月1日、20261201）"
        assert error(app, "place") == ""
        assert error(app, "topics") == "为必填项，尚未填写"
        assert error(app, "notes") == "为必填项，尚未填写"  # every problem at once
        assert "请改正" in str(app.screen.query_one("#form-error", Static).render())
    with session_factory(demo_engine)() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 0


async def test_errors_are_in_english_when_english_is_set(
    demo_engine: Engine, make_app, settle
) -> None:
    task_id, step = open_talk(demo_engine)
    app = make_app(demo_engine, pm=plugin_manager())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        app.push_screen(RecordForm(app.service, task_id, "talk", step))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error(app, "topics") == "is required and missing"


async def test_a_saved_record_completes_the_task_and_plugins_hear_of_it(
    demo_engine: Engine, make_app, settle
) -> None:
    task_id, step = open_talk(demo_engine)
    listener = Listener()
    pm = plugin_manager()
    pm.register(listener, name="test-listener")
    app = make_app(demo_engine, pm=pm)
    results: list[bool | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordForm(app.service, task_id, "talk", step), results.append)
        await settle(pilot)
        await pilot.press("tab", *"office", "tab", *"school", "tab", *"calm")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == [True]
    assert listener.heard == [(task_id, "talk", step, "tester")]
    with session_factory(demo_engine)() as session:
        task = session.get_one(Task, task_id)
        assert task.state == TaskState.DONE.value and task.completed_by == "tester"


async def test_the_engines_refusal_is_shown_in_the_form(
    demo_engine: Engine, make_app, settle, frozen_now
) -> None:
    task_id, step = open_talk(demo_engine)
    app = make_app(demo_engine, pm=plugin_manager())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordForm(app.service, task_id, "talk", step))
        await settle(pilot)
        data = {"date": "2026-10-19", "place": "a", "topics": "b", "notes": "c"}
        with transaction(demo_engine) as session:  # someone else recorded it meanwhile
            complete(session, app.service.registry, task_id, data, actor="other", now=frozen_now)
        await pilot.press("tab", *"office", "tab", *"school", "tab", *"calm", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        shown = str(app.screen.query_one("#form-error", Static).render())
        assert shown == f"任务 {task_id} 已完成"


async def test_a_date_on_a_day_off_is_saved_only_when_confirmed_and_is_marked(
    demo_engine: Engine, make_app, settle
) -> None:
    task_id, step = open_talk(demo_engine)
    app = make_app(demo_engine, pm=plugin_manager())
    results: list[bool | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordForm(app.service, task_id, "talk", step), results.append)
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k", *"2026/10/18")  # a Sunday
        await pilot.press("tab", *"home", "tab", *"school", "tab", *"calm", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm) and results == []
        assert error(app, "date") == "不是上学日"
        shown = str(app.screen.query_one("#form-error", Static).render())
        assert "2026-10-18 不是上学日（周末）" in shown and shown.endswith("再按 Ctrl+S 确认保存")
        with session_factory(demo_engine)() as session:
            assert session.scalar(select(func.count()).select_from(Record)) == 0
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == [True]
    with session_factory(demo_engine)() as session:
        data = session.scalars(select(Record.data).where(Record.task_id == task_id)).one()
    assert data["date"] == "2026-10-18" and data[DAY_OFF_MARK] == ["date"]
