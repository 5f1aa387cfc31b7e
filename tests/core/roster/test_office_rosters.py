"""Rosters as school offices make them: full-width digits, class names in every spelling, a
序号 column, a title row and two-row merged headers, and 800 rows with one mistake each."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook
from roster_samples import child, full_width, import_file, write_roster
from sqlalchemy import select

from guanai.core.models import Child, Guardian, Parent, SchoolClass
from guanai.core.roster.importer import RosterRejected


def stored(engine, model, *columns):
    with engine.connect() as connection:
        return connection.execute(select(*(getattr(model, c) for c in columns))).all()


def class_id(engine, name: str) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(SchoolClass.id).where(SchoolClass.name == name))


# --- full-width digits ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_full_width_numbers_are_stored_in_ascii_and_a_half_width_reimport_matches_them(
    engine, school, tmp_path, suffix
) -> None:
    typed = child(1)
    typed |= {
        key: full_width(typed[key])
        for key in ("child.student_no", "child.id_number", "child.birth_date", "guardian.phone")
    }
    import_file(engine, write_roster(tmp_path / f"typed{suffix}", [typed]), school)
    plain = child(1)
    assert stored(engine, Child, "student_no", "id_number", "birth_date") == [
        (
            plain["child.student_no"],
            plain["child.id_number"],
            date.fromisoformat(plain["child.birth_date"]),
        )
    ]
    assert stored(engine, Guardian, "phone") == [(plain["guardian.phone"],)]

    again = import_file(engine, write_roster(tmp_path / f"plain{suffix}", [plain]), school)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1), "the same record"


def test_a_gb18030_csv_with_full_width_digits_imports(engine, school, tmp_path) -> None:
    row = child(2) | {
        "child.student_no": "２０２６２２０３１",
        "father.phone": "１３８ ００００ ００００",
    }
    report = import_file(
        engine, write_roster(tmp_path / "r.csv", [row], encoding="gb18030"), school
    )
    assert report.created == 1
    assert stored(engine, Child, "student_no") == [("202622031",)]
    assert ("13800000000",) in stored(engine, Parent, "phone")


# --- class names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["三年级(1)班", "三年级（1）班", "三(1)班", "3年级1班", "三年级一班", "３年级１班"]
)
def test_every_spelling_of_a_class_finds_the_class_the_school_stored(
    engine, school, tmp_path, spelling
) -> None:
    path = write_roster(tmp_path / "r.csv", [child(1, **{"child.class": spelling})])
    assert import_file(engine, path, school).created == 1
    assert stored(engine, Child, "class_id") == [(class_id(engine, "三年级1班"),)]


def test_an_unknown_class_is_one_problem_with_its_rows_and_known_classes_in_grade_order(
    engine, school, tmp_path
) -> None:
    rows = [child(n, **{"child.class": "三年级(9)班"}) for n in range(1, 801)]
    rows[99]["child.gender"] = "?"
    path = write_roster(tmp_path / "r.csv", rows)
    with pytest.raises(RosterRejected) as raised:
        import_file(engine, path, school)
    report = raised.value.report
    assert len(report.problems) == 801, "the rejects file still has every row's problem"
    lines = [group.message.zh for group in report.problem_groups]
    assert lines == [
        "第 2–801 行（800 行），「班级」：本校没有班级「三年级(9)班」"
        "（已有：一年级1班、一年级2班、三年级1班）",
        "第 101 行，「性别」：应为以下之一：男、女",
    ]


# --- columns the roster does not have -----------------------------------------------------


def test_a_serial_number_column_is_ignored_with_a_warning(engine, school, tmp_path) -> None:
    path = tmp_path / "r.csv"
    write_roster(path, [child(1), child(2)])
    lines = path.read_text(encoding="utf-8").splitlines()
    numbered = [f"序号,{lines[0]}", *(f"{n},{line}" for n, line in enumerate(lines[1:], 1))]
    path.write_text("\n".join(numbered) + "\n", encoding="utf-8")
    report = import_file(engine, path, school)
    assert report.created == 2
    [warning] = report.warnings
    assert "已忽略不认识的列「序号」" in warning.zh and "ignored" in warning.en


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rows_numbered_in_advance_and_left_empty_are_not_children(
    engine, school, tmp_path, suffix
) -> None:
    """An office numbers 序号 down the sheet before the children are typed in; the numbered
    rows below the last child hold nothing of a roster and are passed over."""
    path = tmp_path / f"r{suffix}"
    headers = ["序号", "学号", "姓名", "性别", "出生日期", "班级", "留守类型", "监护人姓名",
               "监护人关系", "监护人电话"]  # fmt: skip
    first = child(1)
    row = [1, *(first[key] for key in (
        "child.student_no", "child.name", "child.gender", "child.birth_date", "child.class",
        "child.left_behind_type", "guardian.name", "guardian.relation", "guardian.phone",
    ))]  # fmt: skip
    blanks = [[n, *[None] * (len(headers) - 1)] for n in range(2, 6)]
    if suffix == ".csv":
        lines = [headers, row, *blanks]
        path.write_text(
            "\n".join(",".join("" if v is None else str(v) for v in line) for line in lines),
            encoding="utf-8",
        )
    else:
        book = Workbook()
        for line in (headers, row, *blanks):
            book.active.append(line)
        book.save(path)
    report = import_file(engine, path, school)
    assert (report.rows, report.created, report.problems) == (1, 1, [])


# --- a title row and two-row merged headers --------------------------------------------------

TOP = ["序号", "学号", "姓名", "性别", "出生日期", "班级", "留守类型", "父亲", None,
       "监护人", None, None]  # fmt: skip
SUB = [None] * 7 + ["姓名", "电话", "姓名", "关系", "电话"]


def office_workbook(path, rows: list[list]) -> None:
    """A sheet as an office lays it out: a title merged across, headers in two rows with 父亲
    and 监护人 merged over their parts and single headers merged down, blank rows after."""
    book = Workbook()
    sheet = book.active
    sheet.title = "留守儿童"
    sheet.append(["某某小学留守儿童名册"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TOP))
    sheet.append(TOP)
    sheet.append(SUB)
    for column in range(1, 8):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    sheet.merge_cells("H2:I2")
    sheet.merge_cells("J2:L2")
    for row in rows:
        sheet.append(row)
    for _ in range(3):
        sheet.append([None, " ", None])
    book.save(path)


def test_two_row_merged_headers_below_a_title_are_read_as_one(engine, school, tmp_path) -> None:
    path = tmp_path / "名册.xlsx"
    office_workbook(
        path,
        [
            [1, "２０２６０００１", "王小明", "男", "2019-01-08", "三年级(1)班", "父母均外出",
             "王建国", "13800000001", "王大山", "祖父", "13700000001"],
            [2, "20260002", "李小红", "女", "2019/1/15", "一年级（2）班", "父亲外出",
             "李建国", "13800000002", "李大山", "祖母", "13700000002"],
        ],
    )  # fmt: skip
    report = import_file(engine, path, school)
    assert report.created == 2 and report.rows == 2
    assert "「序号」" in report.warnings[0].zh
    assert sorted(stored(engine, Child, "student_no", "name")) == [
        ("20260001", "王小明"), ("20260002", "李小红"),
    ]  # fmt: skip
    assert sorted(stored(engine, Parent, "relation", "name", "phone")) == [
        ("father", "李建国", "13800000002"), ("father", "王建国", "13800000001"),
    ]  # fmt: skip
    assert sorted(stored(engine, Guardian, "name", "relation", "phone"))[0] == (
        "李大山", "grandmother", "13700000002",
    )  # fmt: skip


def test_a_single_header_after_a_group_does_not_make_the_title_a_group(
    engine, school, tmp_path
) -> None:
    """Below a title, 监护人姓名 standing alone after the 父亲 group (an empty column between)
    is one header of the two-row header, not the sign that the title is a group over row 2."""
    path = tmp_path / "名册.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["某某小学留守儿童名册"])
    sheet.append(["学号", "姓名", "性别", "出生日期", "班级", "留守类型", "父亲", None,
                  "监护人姓名", "监护人关系", "监护人电话"])  # fmt: skip
    sheet.append([None] * 6 + ["姓名", "电话"])
    sheet.merge_cells("G2:H2")
    first = child(1)
    sheet.append([first[key] for key in (
        "child.student_no", "child.name", "child.gender", "child.birth_date", "child.class",
        "child.left_behind_type", "father.name", "father.phone", "guardian.name",
        "guardian.relation", "guardian.phone",
    )])  # fmt: skip
    book.save(path)
    report = import_file(engine, path, school)
    assert (report.rows, report.created, report.problems) == (1, 1, [])
    assert stored(engine, Parent, "name") == [(first["father.name"],)]


def test_a_problem_under_a_two_row_header_names_the_joined_header(engine, school, tmp_path):
    path = tmp_path / "名册.xlsx"
    office_workbook(
        path,
        [[1, "20260001", "王小明", "男", "2019-01-08", "三年级1班", "父母均外出",
          "王建国", "12345", "王大山", "祖父", "13700000001"]],
    )  # fmt: skip
    with pytest.raises(RosterRejected) as raised:
        import_file(engine, path, school)
    [problem] = raised.value.report.problems
    assert (problem.row, problem.column) == (4, "父亲电话")
