"""The Children panel: the roster as a window of rows, searched, filtered and paged by keyboard."""

from __future__ import annotations

import pytest
from _children_fixtures import children_app, open_children, rows, text
from sqlalchemy import Engine, select

from guanai.core.db import transaction
from guanai.core.models import Guardian, Pairing
from guanai.plugins.dashboard.child_card import ChildCardScreen
from guanai.plugins.dashboard.children import ChildrenPanel


async def test_the_panel_shows_the_first_page_with_the_count_from_sql(
    demo_engine: Engine, make_app, settle
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        shown = rows(app)
        assert len(shown) == 60
        assert shown[0][:3] == [shown[0][0], shown[0][1], "一年级1班"]
        assert all(cell in ("✓", "✗") for cell in (row[3] for row in shown))
        assert text(app, "#children-status") == "共 60 人 · 第 1–60 条"
        assert "筛选：全部" in text(app, "#children-filters")


async def test_typing_a_name_or_number_prefix_narrows_the_list(
    demo_engine: Engine, make_app, settle
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        first = rows(app)[0]
        await pilot.press("slash", *first[1][0])  # the first child's surname
        await settle(pilot)
        found = rows(app)
        assert found and all(row[1].startswith(first[1][0]) for row in found)
        assert first[0] in [row[0] for row in found]
        await pilot.press("ctrl+a", "ctrl+k", *"2026020")  # a student-number prefix
        await settle(pilot)
        assert rows(app) and all(row[0].startswith("2026020") for row in rows(app))
        await pilot.press("ctrl+a", "ctrl+k", *"999")
        await settle(pilot)
        assert rows(app) == []
        assert text(app, "#children-status") == "共 0 人 · 第 0 条"


async def test_filter_keys_narrow_by_record_pairing_key_target_grade_and_class(
    demo_engine: Engine, make_app, settle
) -> None:
    with transaction(demo_engine) as session:  # two children lose their pairing
        for pairing in session.scalars(select(Pairing).order_by(Pairing.id).limit(2)):
            session.delete(pairing)
        # and three their guardian's phone: a required column, so their record is incomplete
        for guardian in session.scalars(select(Guardian).order_by(Guardian.id.desc()).limit(3)):
            guardian.phone = None
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        await pilot.press("u")
        await settle(pilot)
        assert len(rows(app)) == 2 and all(row[4] == "—" for row in rows(app))
        assert "未结对" in text(app, "#children-filters")
        await pilot.press("u", "i")
        await settle(pilot)
        assert rows(app) and all(row[3] == "✗" for row in rows(app))
        await pilot.press("i", "k")
        await settle(pilot)
        assert rows(app) and all(row[1].endswith("★") for row in rows(app))
        await pilot.press("k", "g", "g")
        await settle(pilot)
        assert rows(app) and all(row[2].startswith("二年级") for row in rows(app))
        assert "2年级" in text(app, "#children-filters")
        await pilot.press("c")
        await settle(pilot)
        classes = {row[2] for row in rows(app)}
        assert len(classes) == 1 and classes < {"二年级1班", "二年级2班"}
        await pilot.press("x")
        await settle(pilot)
        assert len(rows(app)) == 60
        assert "筛选：全部" in text(app, "#children-filters")


async def test_page_keys_move_a_window_through_the_roster(
    demo_engine: Engine, make_app, settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ChildrenPanel, "page_size", 25)
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        first = rows(app)
        assert len(first) == 25 and text(app, "#children-status") == "共 60 人 · 第 1–25 条"
        await pilot.press("pagedown")
        await settle(pilot)
        second = rows(app)
        assert len(second) == 25 and not {row[0] for row in second} & {row[0] for row in first}
        assert text(app, "#children-status") == "共 60 人 · 第 26–50 条"
        await pilot.press("n")
        await settle(pilot)
        assert len(rows(app)) == 10 and text(app, "#children-status") == "共 60 人 · 第 51–60 条"
        await pilot.press("n")  # no further page: nothing changes
        await settle(pilot)
        assert text(app, "#children-status") == "共 60 人 · 第 51–60 条"
        await pilot.press("pageup", "b")
        await settle(pilot)
        assert rows(app) == first and text(app, "#children-status") == "共 60 人 · 第 1–25 条"


async def test_enter_opens_the_highlighted_childs_card_and_escape_returns(
    demo_engine: Engine, make_app, settle
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        second = rows(app)[1]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ChildCardScreen)
        assert app.screen.row.student_no == second[0]
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ChildCardScreen)


async def test_the_language_setting_switches_the_panel_to_english(
    demo_engine: Engine, make_app, settle
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")  # the shell's language key
        await open_children(pilot, settle)
        assert text(app, "#children-status") == "60 children · rows 1–60"
        assert text(app, "#children-filters").startswith("Filter: all")
