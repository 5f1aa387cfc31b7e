"""Changing a pairing from the roster: through set_pairing, kept in the history, coordinator only,
each teacher's load shown and the cap kept."""

from __future__ import annotations

from dataclasses import replace

from _children_fixtures import children_app, open_children, rows, text
from sqlalchemy import Engine, func, select
from textual.widgets import Checkbox, Select

from guanai.core.config import PairingSettings
from guanai.core.db import session_factory
from guanai.core.models import Pairing, RecordChange, Teacher
from guanai.plugins.dashboard.children import ChildrenPanel
from guanai.plugins.dashboard.pairing_dialog import PairingDialog
from guanai.tui import GuanaiApp


def another_teacher(engine: Engine, child_id: int) -> tuple[str, str]:
    """A teacher of the school who is not the child's pairing teacher: (code, name)."""
    with session_factory(engine)() as session:
        current = session.scalar(
            select(Pairing.teacher_id).where(
                Pairing.child_id == child_id, Pairing.ended_on.is_(None)
            )
        )
        found = session.execute(
            select(Teacher.code, Teacher.name)
            .where(Teacher.id != current, Teacher.is_coordinator.is_(False))
            .order_by(Teacher.code)
            .limit(1)
        ).one()
    return found.code, found.name


async def test_e_changes_the_highlighted_childs_pairing_teacher(
    demo_engine: Engine, make_app, settle
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        page = app.query_one(ChildrenPanel).page
        assert page is not None
        child = page.rows[0]
        code, name = another_teacher(demo_engine, child.child_id)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PairingDialog)
        assert text(app, "#pairing-current").startswith("当前：帮扶教师 T")
        dialog.query_one("#pairing-teacher", Select).value = code  # as chosen from the list
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, PairingDialog)
        assert rows(app)[0][4] == name  # the roster, read again
    with session_factory(demo_engine)() as session:
        change = session.scalars(
            select(RecordChange).where(RecordChange.field == "pairing.teacher")
        ).one()
        assert (change.child_id, change.new_value) == (child.child_id, code)
        assert (change.changed_by, change.source) == ("tester", "dashboard")


async def test_a_bad_buddy_is_refused_with_a_message_naming_the_number(
    demo_engine: Engine, make_app, settle
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("tab", *"999999", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PairingDialog)
        assert text(app, "#pairing-error") == "本校没有学号为 999999 的学生"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PairingDialog)
    with session_factory(demo_engine)() as session:
        assert session.scalars(select(RecordChange)).first() is None


async def test_a_classmate_not_on_the_roster_is_named_as_the_buddy(
    demo_engine: Engine, make_app, settle
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        page = app.query_one(ChildrenPanel).page
        assert page is not None
        child = page.rows[0]
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("tab", "tab", *"王小红", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, PairingDialog)
        await pilot.press("e")
        await settle(pilot)
        assert text(app, "#pairing-current").endswith("学习帮手 王小红")
    with session_factory(demo_engine)() as session:
        current = session.execute(
            select(Pairing.buddy_child_id, Pairing.buddy_name).where(
                Pairing.child_id == child.child_id, Pairing.ended_on.is_(None)
            )
        ).one()
        assert tuple(current) == (None, "王小红")


def with_cap(app: GuanaiApp, cap: int) -> GuanaiApp:
    """The app as if the config file said ``[pairing] max_children_per_teacher = cap``."""
    service = app.service
    service.settings = replace(service.settings, pairing=PairingSettings(cap))
    return app


def a_busy_teacher(engine: Engine, child_id: int) -> tuple[str, int]:
    """A teacher other than the child's who has children already: (code, how many)."""
    with session_factory(engine)() as session:
        current = session.scalar(
            select(Pairing.teacher_id).where(
                Pairing.child_id == child_id, Pairing.ended_on.is_(None)
            )
        )
        found = session.execute(
            select(Teacher.code, func.count())
            .join(Pairing, Pairing.teacher_id == Teacher.id)
            .where(Teacher.id != current, Pairing.ended_on.is_(None))
            .group_by(Teacher.code)
            .order_by(Teacher.code)
            .limit(1)
        ).one()
    return found[0], found[1]


async def test_each_teacher_shows_their_load_and_the_cap_then_the_chosen_ones_after(
    demo_engine: Engine, make_app, settle
) -> None:
    app = with_cap(children_app(make_app, demo_engine), 15)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_children(pilot, settle)
        page = app.query_one(ChildrenPanel).page
        assert page is not None
        code, load = a_busy_teacher(demo_engine, page.rows[0].child_id)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PairingDialog)
        select_ = dialog.query_one("#pairing-teacher", Select)
        options = {value: str(prompt) for prompt, value in select_._options if value}
        assert options[code].endswith(f" · {load}/15")
        select_.value = code
        await settle(pilot)
        assert (
            text(app, "#pairing-load") == f"{code}：现有 {load} 名，结对后 {load + 1} 名，上限 15"
        )


async def test_a_teacher_at_the_cap_is_refused_until_over_the_cap_is_ticked(
    demo_engine: Engine, make_app, settle
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_children(pilot, settle)
        page = app.query_one(ChildrenPanel).page
        assert page is not None
        child = page.rows[0]
        code, load = a_busy_teacher(demo_engine, child.child_id)
        with_cap(app, load)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PairingDialog)
        dialog.query_one("#pairing-teacher", Select).value = code
        await settle(pilot)
        assert "超过上限" in text(app, "#pairing-load")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PairingDialog)
        assert text(app, "#pairing-error").startswith(f"教师 {code} 已结对 {load} 名学生")
        dialog.query_one("#pairing-over-cap", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, PairingDialog)
    with session_factory(demo_engine)() as session:
        change = session.scalars(
            select(RecordChange).where(RecordChange.field == "pairing.teacher")
        ).one()
        assert (change.child_id, change.new_value) == (child.child_id, code)
