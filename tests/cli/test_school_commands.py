"""``guanai school``, ``guanai class`` and ``guanai teacher``: a real school set up from an
empty database, without ``guanai demo``; every refusal one line, in Chinese first."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from setup_samples import TEACHERS, setup_workbook

from guanai.cli import cli
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager


@pytest.fixture
def run(database_url: str):
    """``guanai --db URL ARGS`` on a database just created (``guanai init``)."""
    pm: GuanaiPluginManager = build_plugin_manager(load_entry_points=False)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--db", database_url, *args], obj=pm)

    assert invoke("init").exit_code == 0
    return invoke


def test_an_empty_database_says_how_to_set_a_school_up(run):
    shown = run("school", "show")
    assert shown.exit_code == 1
    assert shown.output.strip() == (
        "错误：还没有学校：先用 guanai school create 代码 名称 建立本校，或导入含“学校”表的名册"
        "（guanai template 生成）"
    )


def test_the_blank_template_imported_into_an_empty_database_says_to_fill_in_its_school(
    run, tmp_path: Path
):
    template = tmp_path / "名册.xlsx"
    written = run("template", str(template))
    assert "“学校”“教师”“班级”表" in written.output, written.output
    imported = run("import", str(template))
    assert imported.exit_code == 1
    assert "“学校”表是空的" in imported.output and "学校代码和学校名称" in imported.output


def test_planning_before_any_school_says_that_nothing_was_planned(run):
    planned = run("plan", "--now", "2026-12-02T08:00")
    assert planned.exit_code == 0
    assert "还没有学校，未计划任何任务" in planned.output


def test_a_school_is_set_up_with_its_teachers_and_classes(run):
    created = run("school", "create", "HN01", "某某镇中心小学")
    assert created.exit_code == 0, created.output
    assert created.output.startswith("已建立学校 HN01（某某镇中心小学）\n")
    for args in (
        ("teacher", "add", "T001", "王芳", "--phone", "13700137000", "--subjects", "语文、数学"),
        ("teacher", "add", "T002", "李强", "--email", "lq@example.edu.cn", "--coordinator"),
        ("class", "add", "三年级（2）班", "--head", "T001"),
        ("class", "add", "一年级1班"),
        ("class", "head", "一年级1班", "T002"),
        ("teacher", "set", "T001", "--email", "wf@example.edu.cn"),
        ("school", "rename", "某某县某某镇中心小学"),
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    assert (
        run("school", "rename", "某某县某某镇中心小学").output
        == "校名：某某县某某镇中心小学无需更改\n"
    )

    shown = run("school", "show").output
    assert shown.startswith("某某县某某镇中心小学（HN01）\n")
    assert shown.index("一年级1班") < shown.index("三年级（2）班")  # by grade
    assert "王芳（T001）" in shown and "李强（T002）" in shown
    listed = run("teacher", "list").output
    assert "语文、数学" in listed and "wf@example.edu.cn" in listed
    assert "三年级（2）班" in run("class", "list").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("school", "create", "HN01", "另一所"), "错误：学校代码 HN01 已被使用"),
        (("teacher", "add", "T001", "重名"), "错误：本校已有工号为 T001 的教师"),
        (
            ("teacher", "add", "T003", "赵", "--phone", "12345"),
            "错误：电话：电话应为手机号或带区号的座机号",
        ),
        (("class", "add", "二年级1班", "--head", "T404"), "错误：本校没有工号为 T404 的教师"),
        (
            ("class", "add", "兴趣班"),
            "错误：无法从班级名称 兴趣班 看出年级：请填写年级",
        ),
        (("teacher", "set", "T404", "--name", "无"), "错误：本校没有工号为 T404 的教师"),
        (
            ("--lang", "en", "teacher", "add", "T003", "Zhao", "--email", "zhao"),
            "error: E-mail: not an e-mail address",
        ),
    ],
)
def test_a_mistake_is_one_line_naming_what_is_wrong(run, args: tuple[str, ...], message: str):
    run("school", "create", "HN01", "某某镇中心小学")
    run("teacher", "add", "T001", "王芳")
    result = run(*args)
    assert result.exit_code == 1
    assert result.output.strip() == message


def test_import_sets_an_empty_database_up_from_the_workbook(run, tmp_path: Path):
    path = setup_workbook(tmp_path / "名册.xlsx")
    imported = run("import", str(path))
    assert imported.exit_code == 0, imported.output
    for line in ("学校：新建", "教师：新建", "班级：新建", "新建"):
        assert line in imported.output
    shown = run("school", "show").output
    assert shown.startswith("某某镇中心小学（HN01）\n") and "王芳（T001）" in shown


def test_a_problem_in_a_set_up_sheet_is_listed_with_its_sheet_and_nothing_is_written(
    run, tmp_path: Path
):
    teachers = [TEACHERS[0], ["T001", "王芳", "12345", None, None, None], *TEACHERS[2:]]
    imported = run("import", str(setup_workbook(tmp_path / "名册.xlsx", teachers=teachers)))
    assert imported.exit_code == 1
    assert "教师：电话" in imported.output and "电话应为手机号或带区号的座机号" in imported.output
    assert "名册.xlsx：1 行有 1 个问题，未导入任何数据" in imported.output
    assert "12345" not in imported.output, "a value is never echoed"
    assert run("school", "show").exit_code == 1  # still no school


def test_mistakes_in_a_set_up_sheet_and_in_the_roster_are_reported_in_one_run(run, tmp_path: Path):
    """The office fixes the whole workbook at once: the roster is checked against the school
    the good set-up rows make, though nothing of either is written."""
    teachers = [*TEACHERS, ["T009", "周敏", "12345", None, None, None]]
    path = setup_workbook(tmp_path / "名册.xlsx", teachers=teachers, children=(1, 2, 3))
    book = load_workbook(path)
    book["留守儿童"]["B3"] = None  # child 2's name left out
    book.save(path)
    imported = run("import", str(path))
    assert imported.exit_code == 1
    assert "「教师：电话」：电话应为手机号或带区号的座机号" in imported.output
    assert "第 3 行，「姓名」：必填项为空" in imported.output
    assert "2 行有 2 个问题" in imported.output
    assert run("school", "show").exit_code == 1  # nothing of either is written
