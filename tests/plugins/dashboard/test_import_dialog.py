"""Importing a roster from the dashboard: the import report on screen, never a cell's value."""

from __future__ import annotations

from pathlib import Path

from _children_fixtures import children_app, open_children, rows, text
from roster_samples import child, write_roster
from sqlalchemy import Engine, func, select

from guanai.core.db import session_factory
from guanai.core.models import Child
from guanai.plugins.dashboard.import_dialog import ImportDialog

SECRET_ID = "11010119900307123X"  # a malformed value that must never appear on screen


def children(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(Child)) or 0


async def type_path_and_import(pilot, settle, path: Path) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ImportDialog)
    assert pilot.app.screen.query_one("#import-school").value == "DEMO"  # the only school
    await pilot.press(*str(path), "enter")
    await settle(pilot)


async def test_a_roster_with_problems_is_reported_by_row_and_column_and_not_written(
    demo_engine: Engine, make_app, settle, tmp_path: Path
) -> None:
    path = write_roster(
        tmp_path / "roster.csv",
        [child(1), child(2, **{"child.id_number": SECRET_ID}), child(3, **{"child.gender": ""})],
    )
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        await type_path_and_import(pilot, settle, path)
        assert text(app, "#import-status").startswith("roster.csv：2 行有 2 个问题，未导入任何数据")
        assert text(app, "#import-counts").startswith("行数 3 · 新建 0")
        problems = rows(app, "#import-report")
        assert [problem[:2] for problem in problems] == [["3", "身份证号"], ["4", "性别"]]
        assert SECRET_ID not in str(problems) and SECRET_ID not in text(app, "#import-status")
    assert children(demo_engine) == 60


async def test_valid_rows_only_imports_the_rest_and_the_roster_is_read_again(
    demo_engine: Engine, make_app, settle, tmp_path: Path
) -> None:
    path = write_roster(
        tmp_path / "roster.csv", [child(1), child(2), child(3, **{"child.gender": ""})]
    )
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press(*str(path), "tab", "tab", "space", "ctrl+s")  # tick "valid rows only"
        await settle(pilot)
        assert text(app, "#import-status") == "roster.csv：已导入"
        assert text(app, "#import-counts").startswith(
            "行数 3 · 新建 2 · 更新 0 · 未变 0 · 有误的行 1"
        )
        assert [problem[:2] for problem in rows(app, "#import-report")] == [["4", "性别"]]
        await pilot.press("escape")
        await settle(pilot)
        assert text(app, "#children-status").startswith("共 62 人")
    assert children(demo_engine) == 62


async def test_a_file_that_is_not_a_roster_is_named_in_the_message(
    demo_engine: Engine, make_app, settle, tmp_path: Path
) -> None:
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        await type_path_and_import(pilot, settle, tmp_path / "missing.csv")
        assert "missing.csv" in text(app, "#import-status")
        assert rows(app, "#import-report") == []


async def test_a_problem_of_many_rows_is_one_line_and_an_ignored_column_is_said(
    demo_engine: Engine, make_app, settle, tmp_path: Path
) -> None:
    path = write_roster(
        tmp_path / "roster.csv", [child(n, **{"child.gender": "?"}) for n in (1, 2, 3)]
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([f"序号,{lines[0]}", *(f"{n},{line}" for n, line in enumerate(lines[1:], 1))]),
        encoding="utf-8",
    )
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_children(pilot, settle)
        await type_path_and_import(pilot, settle, path)
        assert "已忽略不认识的列「序号」" in text(app, "#import-status")
        assert [problem[:2] for problem in rows(app, "#import-report")] == [["2–4（3 行）", "性别"]]
    assert children(demo_engine) == 60
