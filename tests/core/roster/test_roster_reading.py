"""Reading roster files: xlsx sheets and header rows, CSV encodings, numbers Excel mangles."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from pathlib import Path
from types import GeneratorType

import pytest
from openpyxl import Workbook
from roster_samples import child, write_roster

from guanai.core import i18n
from guanai.core.roster.reading import LostDigits, RosterFileError, normalise, open_roster

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_csv_reads_the_same_in_every_encoding_chinese_excel_writes(tmp_path, encoding) -> None:
    path = write_roster(tmp_path / "r.csv", [child(1), child(2)], encoding=encoding)
    roster = open_roster(path)
    rows = list(roster.rows())
    assert [r.number for r in rows] == [2, 3]
    assert rows[0].cells["姓名"] == child(1)["child.name"]
    assert rows[1].cells["监护人关系"] == "祖父"


def test_utf8_is_tried_before_gb18030(tmp_path) -> None:
    path = write_roster(tmp_path / "r.csv", [child(1)], encoding="utf-8")
    assert open_roster(path).encoding == "utf-8-sig"
    path = write_roster(tmp_path / "g.csv", [child(1)], encoding="gb18030")
    assert open_roster(path).encoding == "gb18030"


def test_a_utf16_csv_with_tabs_from_excel_unicode_text_is_read(tmp_path) -> None:
    source = write_roster(tmp_path / "r.csv", [child(1)])
    text = source.read_text(encoding="utf-8").replace(",", "\t")
    path = tmp_path / "r.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    roster = open_roster(path)
    assert roster.delimiter == "\t"
    [row] = roster.rows()
    assert row.cells["学号"] == "20260001" and row.cells["监护人关系"] == "祖父"


def test_an_undecodable_csv_row_is_an_error_naming_the_file_and_row(tmp_path) -> None:
    path = tmp_path / "garbled.csv"
    path.write_bytes("学号,姓名\n".encode() + b"\x80\xff\xfe\x81\n")
    i18n.set_language("en")
    with pytest.raises(RosterFileError, match=r"garbled\.csv: row 2 is not in UTF-8"):
        list(open_roster(path).rows())


def test_unknown_headers_are_ignored_with_a_warning_naming_the_known_ones(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("序号,学号,姓名,爱好,Shoe size\n1,2026001,张三,画画,33\n", encoding="utf-8")
    roster = open_roster(path)
    assert [c.key for c in roster.columns.values()] == ["child.student_no", "child.name"]
    [warning] = roster.warnings
    assert "「序号」「爱好」「Shoe size」" in warning.zh and "监护人电话" in warning.zh
    assert "ignored" in warning.en and "Guardian's phone" in warning.en
    [row] = roster.rows()
    assert row.cells["学号"] == "2026001"


def test_unknown_headers_are_named_too_when_the_student_no_is_missing(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("学生编号,姓名\n1,张三\n", encoding="utf-8")
    with pytest.raises(RosterFileError) as raised:
        open_roster(path)
    assert "缺少必填列「学号" in raised.value.label.zh
    assert "「学生编号」" in raised.value.label.zh


def test_without_a_student_no_column_nothing_can_be_matched(tmp_path) -> None:
    keys = [k for k in child(1) if k not in ("child.student_no", "guardian.phone")]
    path = write_roster(tmp_path / "r.csv", [child(1)], keys=keys)
    with pytest.raises(RosterFileError) as raised:
        open_roster(path)
    assert "学号" in raised.value.label.zh and "监护人电话" in raised.value.label.zh
    assert "Student no." in raised.value.label.en


def test_other_required_columns_may_be_left_out_by_a_file_of_updates(tmp_path) -> None:
    keys = [k for k in child(1) if k != "guardian.phone"]
    roster = open_roster(write_roster(tmp_path / "r.csv", [child(1)], keys=keys))
    assert [c.key for c in roster.missing_required] == ["guardian.phone"]


def test_the_same_column_twice_is_an_error(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("学号,Student no.,姓名\n", encoding="utf-8")
    with pytest.raises(RosterFileError, match=r"Student no\."):
        open_roster(path)


def test_english_headers_and_a_problems_column_are_accepted(tmp_path) -> None:
    path = write_roster(tmp_path / "r.csv", [child(1)], english=True)
    text = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([text[0] + ",Problems", text[1] + ",something"]) + "\n", encoding="utf-8"
    )
    roster = open_roster(path)
    assert roster.header_of("guardian.phone") == "Guardian's phone"
    assert "Problems" not in roster.columns


def test_xlsx_prefers_the_roster_sheet_and_finds_the_header_below_a_title(tmp_path) -> None:
    workbook = Workbook()
    workbook.active.title = "封面"
    workbook.active.append(["not the roster"])
    sheet = workbook.create_sheet("留守儿童")
    sheet.append(["某某小学留守儿童名册"])  # a title row...
    sheet.append([])  # ...and a blank row above the headers
    required = ["性别", "班级", "留守类型", "监护人姓名", "监护人关系"]
    sheet.append(["学号", "姓名", "出生日期", "监护人电话", "身份证号", *required])
    filled = ["男", "一年级1班", "父亲外出", "张大山", "祖父"]
    sheet.append(
        [20260101, "张三", datetime(2017, 5, 12), 13800138000.0, 110105201705120000, *filled]
    )
    sheet.append([None] * 10)  # empty rows are skipped
    sheet.append(["20260102", "李四", "2017/6/1", "0731-84561234", None, *filled])
    path = tmp_path / "r.xlsx"
    workbook.save(path)

    roster = open_roster(path)
    assert roster.sheet == "留守儿童" and roster.header_row == 3
    rows = roster.rows()
    assert isinstance(rows, GeneratorType), "rows are streamed, not loaded at once"
    first, second = list(rows)
    assert first.number == 4 and second.number == 6
    assert first.cells["学号"] == "20260101"
    assert first.cells["监护人电话"] == "13800138000"
    assert first.cells["出生日期"] == datetime(2017, 5, 12)
    assert isinstance(first.cells["身份证号"], LostDigits), "an 18-digit number lost digits"
    assert second.cells["监护人电话"] == "0731-84561234"


def test_without_a_roster_sheet_the_first_sheet_is_read(tmp_path) -> None:
    path = write_roster(tmp_path / "r.xlsx", [child(1)], sheet="Sheet1")
    roster = open_roster(path)
    assert roster.sheet == "Sheet1"
    assert len(list(roster.rows())) == 1


def test_the_english_sheet_name_is_found(tmp_path) -> None:
    path = write_roster(tmp_path / "r.xlsx", [child(1)], sheet="Children")
    assert open_roster(path).sheet == "Children"


def test_whole_numbers_become_digits_and_long_ones_are_flagged() -> None:
    assert normalise(13800138000.0) == "13800138000"
    assert normalise(20260101) == "20260101"
    assert normalise(66.5) == "66.5"
    assert isinstance(normalise(1.1010520170512e17), LostDigits)
    assert normalise(date(2017, 5, 12)) == date(2017, 5, 12)
    assert normalise(True) is True


def test_other_formats_and_broken_workbooks_are_refused_with_advice(tmp_path) -> None:
    (tmp_path / "roster.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(RosterFileError, match=r"只能导入 \.xlsx、\.xls、\.ods 或 \.csv"):
        open_roster(tmp_path / "roster.pdf")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(RosterFileError, match=r"old\.xls 不是有效的 \.xls 文件"):
        open_roster(tmp_path / "old.xls")
    (tmp_path / "broken.ods").write_bytes(b"not a zip")
    with pytest.raises(RosterFileError, match=r"broken\.ods 不是有效的 \.ods 文件"):
        open_roster(tmp_path / "broken.ods")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(RosterFileError, match=r"broken\.xlsx"):
        open_roster(tmp_path / "broken.xlsx")


def test_errors_are_in_english_on_request(tmp_path) -> None:
    i18n.set_language("en")
    with pytest.raises(RosterFileError) as raised:
        open_roster(Path(tmp_path / "missing.csv"))
    assert str(raised.value).startswith("file not found")


def test_any_sheet_is_read_by_the_same_machinery_as_the_roster(tmp_path) -> None:
    from guanai.core.i18n import Label
    from guanai.core.roster.columns import Column, Kind
    from guanai.core.roster.reading import open_sheet, workbook_sheets
    from guanai.core.roster.sheet_spec import SheetSpec

    spec = SheetSpec(
        Label("教师", "teachers"),
        (Column("teacher.code", Label("工号", "Code"), Kind.CODE, required=True),
         Column("teacher.name", Label("姓名", "Name"))),
        identity="teacher.code",
        sheet_names=("教师", "teachers"),
    )  # fmt: skip
    workbook = Workbook()
    workbook.active.title = "留守儿童"
    workbook.active.append(["学号", "姓名"])
    teachers = workbook.create_sheet("教师")
    for values in (["本校教师"], ["序号", "工号", "姓名"], [1, "Ｔ００１", "王芳"]):
        teachers.append(values)
    path = tmp_path / "setup.xlsx"
    workbook.save(path)
    assert workbook_sheets(path) == ("留守儿童", "教师")
    sheet = open_sheet(path, spec)
    assert (sheet.sheet, sheet.header_row, sheet.keys) == (
        "教师",
        2,
        {"teacher.code", "teacher.name"},
    )
    assert "「序号」" in sheet.warnings[0].zh
    [row] = sheet.rows()
    assert sheet.columns["工号"].parse(row.cells["工号"]) == "T001"
    with pytest.raises(RosterFileError, match="工号"):
        open_sheet(path, spec, sheet="留守儿童")  # a sheet without the identity column
    assert workbook_sheets(write_roster(tmp_path / "r.csv", [child(1)])) == ()
