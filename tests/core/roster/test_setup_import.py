"""Setting a school up from the 学校, 教师 and 班级 sheets: every problem of every sheet named
by sheet, row and column; the same workbook twice changes nothing; a later one updates by
school code, teacher code and class name."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from setup_samples import CLASSES, SCHOOL, TEACHERS, setup_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guanai.core.access import AccessError, Viewer
from guanai.core.models import AuditEvent
from guanai.core.roster.columns import Kind
from guanai.core.roster.file_errors import RosterFileError
from guanai.core.roster.importer import RosterRejected
from guanai.core.roster.setup_columns import SHEETS
from guanai.core.roster.setup_import import set_up_from_workbook
from guanai.core.roster.template import describe_format, write_template
from guanai.core.school_overview import school_overview
from guanai.core.schools import SCHOOL_TIMEZONE

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=SCHOOL_TIMEZONE)
COORDINATOR = Viewer("关爱办", "coordinator")


def set_up(session: Session, path: Path, viewer: Viewer = COORDINATOR, **options):
    report = set_up_from_workbook(
        session, viewer, path, school_code=None, actor=viewer.name, now=NOW, **options
    )
    session.flush()
    return report


def audits(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_an_empty_database_is_set_up_from_the_sheets(session: Session, tmp_path: Path):
    report = set_up(session, setup_workbook(tmp_path / "school.xlsx"))
    assert report is not None and report.has_roster
    assert dict(report.created) == {"学校": 1, "教师": 3, "班级": 3}
    overview = school_overview(session, report.school_id)
    assert (overview.code, overview.name) == ("HN01", "某某镇中心小学")
    assert [(c.name, c.grade, c.head_code) for c in overview.classes] == [
        ("一年级1班", 1, "T001"),
        ("一年级2班", 1, "T002"),
        ("三年级1班", 3, "T003"),
    ]
    wang, li, zhao = overview.teachers
    assert (wang.email, wang.subjects, wang.is_coordinator) == (
        "wangfang@example.edu.cn",
        ("语文", "数学"),
        False,
    )
    assert (li.phone, li.is_coordinator) == ("073184561234", True)
    assert (zhao.phone, zhao.subjects, zhao.is_coordinator) == (None, (), False)
    assert audits(session) == 7
    actors = set(session.scalars(select(AuditEvent.actor)))
    assert actors == {"关爱办"}


def test_every_problem_of_every_sheet_is_named_by_sheet_row_and_column(
    session: Session, tmp_path: Path
):
    teachers = [
        ["序号", *TEACHERS[0]],
        [1, "T001", "王芳", "12345", None, None, None],  # a bad phone
        [2, "T001", "李强", None, None, None, None],  # the same code again
        [3, "T003", "", None, "zhao", None, "也许"],  # no name, a bad e-mail and yes/no
    ]
    classes = [
        CLASSES[0],
        ["一年级1班", None, "T009"],  # no such teacher
        ["兴趣班", None, None],  # the name does not say the grade
        ["二年级1班", 13, None],  # no such grade
        ["三年级1班", None, "T001"],  # its head's own row has a problem: not reported twice
    ]
    path = setup_workbook(tmp_path / "school.xlsx", teachers=teachers, classes=classes)
    with pytest.raises(RosterRejected) as rejected:
        set_up(session, path)
    assert [str(p) for p in rejected.value.report.problems] == [
        "第 2 行，「教师：电话」：电话应为手机号或带区号的座机号",
        "第 3 行，「教师：工号」：与第 2 行重复",
        "第 4 行，「教师：姓名」：必填项为空",
        "第 4 行，「教师：电子邮箱」：电子邮箱格式不正确",
        "第 4 行，「教师：是否关爱办/协调员」：应为“是”或“否”",
        "第 2 行，「班级：班主任工号」：本校没有工号为 T009 的教师",
        "第 3 行，「班级：年级」：无法从班级名称 兴趣班 看出年级：请填写年级",
        "第 4 行，「班级：年级」：年级应为 1–12 的整数",
    ]
    assert str(rejected.value) == "school.xlsx：6 行有 8 个问题，未导入任何数据"


def test_the_school_sheet_holds_one_school(session: Session, tmp_path: Path):
    path = setup_workbook(tmp_path / "two.xlsx", school=[*SCHOOL, ["HN02", "另一所"]])
    with pytest.raises(RosterRejected) as rejected:
        set_up(session, path)
    assert [str(p) for p in rejected.value.report.problems] == [
        "第 3 行，「学校」：“学校”表应只有一行（本校），现有 2 行"
    ]


def test_the_same_workbook_twice_changes_nothing_the_second_time(session: Session, tmp_path: Path):
    path = setup_workbook(tmp_path / "school.xlsx")
    set_up(session, path)
    before = audits(session)
    again = set_up(session, path)
    assert again is not None and not again.created and not again.updated
    assert audits(session) == before


def test_a_later_workbook_updates_by_code_and_name(session: Session, tmp_path: Path):
    set_up(session, setup_workbook(tmp_path / "first.xlsx"))
    teachers = [*TEACHERS[:3], ["T003", "赵敏", "13900139000", None, "科学", None]]
    classes = [*CLASSES[:3], ["三年级1班", None, "T002"], ["三年级2班", None, "T003"]]
    later = set_up(
        session,
        setup_workbook(
            tmp_path / "later.xlsx",
            school=[SCHOOL[0], ["HN01", "某某县某某镇中心小学"]],
            teachers=teachers,
            classes=classes,
        ),
    )
    assert later is not None
    assert dict(later.updated) == {"学校": 1, "教师": 1, "班级": 1}
    assert dict(later.created) == {"班级": 1}
    overview = school_overview(session, later.school_id)
    assert overview.name == "某某县某某镇中心小学"
    assert overview.teachers[2].subjects == ("科学",)
    assert {c.name: c.head_code for c in overview.classes}["三年级1班"] == "T002"


def test_without_set_up_rows_the_workbook_is_a_roster_alone(session: Session, tmp_path: Path):
    set_up(session, setup_workbook(tmp_path / "first.xlsx"))
    assert set_up(session, write_template(tmp_path / "blank.xlsx")) is None
    roster = setup_workbook(tmp_path / "r.xlsx", school=None, teachers=None, classes=None)
    assert set_up(session, roster) is None


def test_a_blank_school_sheet_on_an_empty_database_says_to_fill_it_in(
    session: Session, tmp_path: Path
):
    with pytest.raises(RosterFileError, match="“学校”表是空的，而数据库中还没有学校"):
        set_up(session, write_template(tmp_path / "blank.xlsx"))


def test_a_set_up_sheet_that_cannot_be_read_is_named(session: Session, tmp_path: Path):
    path = setup_workbook(tmp_path / "x.xlsx", teachers=[["姓名", "电话"], ["王芳", None]])
    with pytest.raises(RosterFileError, match=re.escape("“教师”表：x.xlsx：缺少必填列「工号」")):
        set_up(session, path)


def test_a_coordinator_bound_to_a_school_cannot_set_up_another(session: Session, tmp_path: Path):
    set_up(session, setup_workbook(tmp_path / "first.xlsx"))
    bound = Viewer("外校关爱办", "coordinator", school_id=9999)
    with pytest.raises(AccessError, match="只能管理本校"):
        set_up(session, setup_workbook(tmp_path / "again.xlsx"), bound)


DOCS = Path(__file__).parents[3] / "docs" / "school_setup.md"


def test_the_template_has_the_set_up_sheets_and_the_docs_describe_them(tmp_path: Path):
    workbook = load_workbook(write_template(tmp_path / "t.xlsx"))
    text = DOCS.read_text(encoding="utf-8")
    for name, columns in SHEETS.items():
        sheet = workbook[name]
        assert [cell.value for cell in sheet[1]] == [c.header.zh for c in columns]
        for index, column in enumerate(columns, start=1):
            if column.kind is Kind.CODE or column.kind is Kind.PHONE:
                letter = sheet.cell(1, index).column_letter
                assert sheet.column_dimensions[letter].number_format == "@", column.key
            described = describe_format(column)
            line = next(r for r in text.splitlines() if r.startswith(f"| {column.header.zh} |"))
            assert column.header.en in line and described.zh in line and described.en in line
    guide = {row[0] for row in workbook["说明"].iter_rows(values_only=True) if row}
    assert {c.header.zh for columns in SHEETS.values() for c in columns} <= guide


def test_a_class_spelled_another_way_is_the_same_class(session: Session, tmp_path: Path):
    set_up(session, setup_workbook(tmp_path / "first.xlsx"))
    classes = [CLASSES[0], ["一年级(1)班", None, "T002"], ["一年级（2）班", None, "T002"]]
    later = set_up(session, setup_workbook(tmp_path / "later.xlsx", classes=classes))
    assert later is not None and not later.created and dict(later.updated) == {"班级": 1}
    overview = school_overview(session, later.school_id)
    assert [(c.name, c.head_code) for c in overview.classes] == [
        ("一年级1班", "T002"),
        ("一年级2班", "T002"),
        ("三年级1班", "T003"),
    ]
