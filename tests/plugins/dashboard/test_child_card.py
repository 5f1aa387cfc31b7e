"""A child's card: record, history, talks and tasks; a talk or any open task recorded from it."""

from __future__ import annotations

import re
from datetime import datetime

from _children_fixtures import children_app, open_children, rows, text
from sqlalchemy import Engine, func, select
from textual.widgets import DataTable

from guanai.core.db import session_factory
from guanai.core.models import Activity, AuditEvent, Child, Record, Task, TaskState
from guanai.core.records import update_child
from guanai.plugins.dashboard.child_card import ChildCardScreen
from guanai.plugins.dashboard.forms import RecordForm


async def open_first_card(app, pilot, settle) -> ChildCardScreen:  # type: ignore[no-untyped-def]
    await open_children(pilot, settle)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ChildCardScreen)
    return app.screen


async def test_the_card_shows_the_record_history_and_tasks_on_number_keys(
    demo_engine: Engine, make_app, settle, frozen_now: datetime
) -> None:
    with session_factory(demo_engine)() as session, session.begin():
        school_id, student_no = session.execute(
            select(Child.school_id, Child.student_no).order_by(Child.class_id, Child.student_no)
        ).first()  # type: ignore[misc]
        update_child(
            session,
            school_id,
            student_no,
            {"备注": "喜欢画画"},
            actor="registrar",
            source="guanai child set",
            now=frozen_now,
        )
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_first_card(app, pilot, settle)
        record = dict((row[0], row[1]) for row in rows(app, "#card-record-table"))
        assert record["学号"] == card.row.student_no
        assert record["姓名"] == card.row.name
        await pilot.press("2")
        await settle(pilot)
        history = rows(app, "#card-history-table")
        assert history == [["2026-10-20 08:00", "registrar", "备注", "— → 喜欢画画"]]
        await pilot.press("4")
        await settle(pilot)
        tasks = rows(app, "#card-tasks-table")
        assert any(task[0].startswith("谈心 · ") for task in tasks)
        assert {task[2] for task in tasks} <= {"未开始", "待办", "逾期", "已上报", "已完成"}


async def test_t_records_the_childs_next_talk_through_its_form(
    demo_engine: Engine, make_app, settle
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_first_card(app, pilot, settle)
        await pilot.press("t")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm) and form.step_name.endswith("_talk")
        fills = text(app, "#form-fills")  # which month's talk, and its days
        assert re.fullmatch(
            r"记录：[九十]月谈心 · (班主任|帮扶教师)谈心（\d+月\d+日–\d+日）", fills
        )
        # the talk was yesterday, in the roster's date form; place, topics and notes are typed
        await pilot.press("ctrl+a", "ctrl+k", *"2026/10/19")
        await pilot.press("tab", *"office", "tab", *"study", "tab", *"fine")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is card
        assert text(app, "#card-message") == "已保存"
        await pilot.press("3")
        await settle(pilot)
        talks = rows(app, "#card-talks-table")
        assert talks[0][0] == "2026-10-19" and "office" in talks[0][2]
        await pilot.press("escape")
        await settle(pilot)
        assert rows(app)[0][5] == "2026-10-19"  # the talk's own day, not the day it was recorded
    with session_factory(demo_engine)() as session:
        task_id, record = session.execute(
            select(Task.id, Record).join(Record, Record.task_id == Task.id)
        ).one()
        assert record.data["place"] == "office" and record.recorded_by == "tester"
        audit = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == task_id)).one()
        assert audit.action == "complete" and audit.actor == "tester"
        assert "fine" not in str(audit.detail)  # the audit names fields, never values


async def test_r_completes_the_highlighted_task_and_refuses_a_done_one(
    demo_engine: Engine, make_app, settle
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_first_card(app, pilot, settle)
        await pilot.press("4")
        await settle(pilot)
        index = next(n for n, task in enumerate(card.tasks) if task.is_open)
        await pilot.press(*["down"] * index, "r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm) and form.task_id == card.tasks[index].task_id
        await pilot.press("escape")  # cancelled: nothing written
        await settle(pilot)
        assert app.screen is card
        done = next((n for n, task in enumerate(card.tasks) if not task.is_open), None)
        if done is not None:
            await pilot.press("home", *["down"] * done, "r")
            await settle(pilot)
            assert app.screen is card
            assert text(app, "#card-message") == "此任务已完成或已取消"
    with session_factory(demo_engine)() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 0


async def test_a_child_without_an_open_talk_is_told_so(
    demo_engine: Engine, make_app, settle
) -> None:
    with session_factory(demo_engine)() as session, session.begin():
        talks = select(Activity.id).where(Activity.type == "talk")
        session.execute(
            Task.__table__.update()
            .where(Task.activity_id.in_(talks))
            .values(state=TaskState.CANCELLED.value)
        )
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first_card(app, pilot, settle)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, ChildCardScreen)
        assert text(app, "#card-message") == "没有待记录的谈心"


async def test_help_over_the_card_lists_the_cards_keys(demo_engine, make_app, settle) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        table = app.screen.query_one("#help-keys", DataTable)
        shown = [tuple(str(c) for c in table.get_row_at(n)) for n in range(table.row_count)]
        assert ("t", "记录谈心") in shown and ("", "— 当前窗口 —") in shown
