"""Identical problems shown once, with the rows they affect, so real mistakes are not buried."""

from __future__ import annotations

from guanai.core.i18n import Label
from guanai.core.roster.problem_groups import SHOWN_RANGES, group_problems
from guanai.core.roster.validation import Problem

NO_CLASS = Label("本校没有班级「三年级(9)班」", "this school has no class '三年级(9)班'")
GENDER = Label("应为以下之一：男、女", "must be one of: male, female")


def test_a_problem_of_800_rows_is_one_line_with_its_row_range_and_count() -> None:
    problems = [Problem(row, "班级", NO_CLASS) for row in range(3, 803)]
    [group] = group_problems(problems)
    assert group.ranges == [(3, 802)]
    assert group.message == Label(
        "第 3–802 行（800 行），「班级」：本校没有班级「三年级(9)班」",
        "rows 3-802 (800 rows), column '班级': this school has no class '三年级(9)班'",
    )


def test_groups_keep_apart_by_column_and_reason_in_the_order_of_their_first_row() -> None:
    problems = [
        Problem(2, "性别", GENDER),
        Problem(3, "班级", NO_CLASS),
        Problem(4, "班级", NO_CLASS),
        Problem(5, "性别", GENDER),
        Problem(7, "班级", NO_CLASS),
        Problem(6, "", Label("整行有误", "the row is wrong")),
    ]
    groups = group_problems(problems)
    assert [(g.column, g.rows) for g in groups] == [
        ("性别", (2, 5)), ("班级", (3, 4, 7)), ("", (6,)),
    ]  # fmt: skip
    assert [str(g.where) for g in groups] == ["2、5（2 行）", "3–4、7（3 行）", "6"]
    assert groups[2].message.zh == "第 6 行：整行有误"
    assert groups[2].message.en == "row 6: the row is wrong"


def test_a_long_list_of_ranges_is_cut_and_the_count_still_says_how_many_rows() -> None:
    rows = range(2, 2 + 4 * SHOWN_RANGES, 2)  # every other row: one range each
    [group] = group_problems(Problem(row, "性别", GENDER) for row in rows)
    assert group.where.zh.endswith(f"…（{len(rows)} 行）")
    assert group.where.zh.count("、") == SHOWN_RANGES - 1
