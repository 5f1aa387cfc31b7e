"""Importing real roster files: every bad row named, all or nothing, valid-only with a rejects
file that imports once fixed, and re-imports that update in place or change nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from roster_samples import (
    CLASSES,
    NOW,
    child,
    edit_roster_file,
    id_number,
    import_file,
    snapshot,
    write_roster,
)
from sqlalchemy import func, select

from guanai.core.db import transaction
from guanai.core.models import Child, Guardian, Pairing, Parent, RecordChange
from guanai.core.roster.columns import CHILD_COLUMNS
from guanai.core.roster.importer import RosterRejected

# (file format, CSV encoding)
FORMATS = [
    pytest.param(".xlsx", None, id="xlsx"),
    pytest.param(".csv", "gb18030", id="csv-gb18030"),
    pytest.param(".csv", "utf-8-sig", id="csv-utf8-bom"),
    pytest.param(".csv", "utf-8", id="csv-utf8"),
]
TAKEN_HERE = id_number(date(2018, 3, 3), 901)  # the ID number of child 20260900 of school S1
TAKEN_THERE = id_number(date(2018, 4, 4), 902)  # the ID number of a child enrolled at S2


@dataclass
class Case:
    """One row of the sample file: what makes it bad, where the report must point, the fix."""

    n: int
    changes: dict[str, Any] = field(default_factory=dict)
    column: str | None = None  # the header the report names; None for a good row
    fix: dict[str, Any] = field(default_factory=dict)


def _born(n: int) -> str:
    return child(n)["child.birth_date"]


CASES = [
    Case(1),
    Case(2, {"child.id_number": child(2)["child.id_number"][:-1] + "0"}, "身份证号",
         {"身份证号": child(2)["child.id_number"]}),
    Case(3, {"child.birth_date": "2019-12-31"}, "身份证号", {"出生日期": _born(3)}),
    Case(4, {"father.phone": "1380013800"}, "父亲电话", {"父亲电话": "13800138004"}),
    Case(5, {"child.birth_date": "2019-13-45"}, "出生日期", {"出生日期": _born(5)}),
    Case(6, {"child.class": "九年级9班"}, "班级", {"班级": CLASSES[0]}),
    Case(7, {"child.gender": "未知"}, "性别", {"性别": "男"}),
    Case(8, {"child.student_no": child(1)["child.student_no"]}, "学号", {"学号": "20269008"}),
    Case(9, {"child.id_number": TAKEN_HERE}, "身份证号", {"身份证号": child(9)["child.id_number"]}),
    Case(10, {"guardian.name": ""}, "监护人姓名", {"监护人姓名": "王大山"}),
    Case(11, {"child.id_number": "1.10105E+17"}, "身份证号", {"身份证号": child(11)["child.id_number"]}),
    Case(12, {"pairing.teacher": "T002", "pairing.buddy": child(1)["child.student_no"]},
         "学习帮手学号", {"学习帮手学号": child(14)["child.student_no"]}),
    Case(13, {"pairing.teacher": "T999"}, "帮扶教师工号", {"帮扶教师工号": "T002"}),
    Case(14, {"child.id_number": child(1)["child.id_number"]}, "身份证号",
         {"身份证号": child(14)["child.id_number"]}),
    Case(15, {"child.id_number": TAKEN_THERE}, "身份证号", {"身份证号": child(15)["child.id_number"]}),
    Case(16, {"child.left_behind_type": ""}, "留守类型", {"留守类型": "父亲外出"}),
    Case(17, {"guardian.age": "六十"}, "监护人年龄", {"监护人年龄": "60"}),
    Case(18),
]  # fmt: skip
BAD = [case for case in CASES if case.column]


def sample_rows() -> list[dict[str, Any]]:
    return [child(case.n, **case.changes) for case in CASES]


@pytest.fixture
def seeded(engine, school, other_school, tmp_path) -> int:
    """Child 20260900 of S1 holds TAKEN_HERE; an enrolled child of S2 holds TAKEN_THERE."""
    here = child(900, **{"child.id_number": TAKEN_HERE, "child.birth_date": "2018-03-03"})
    there = child(902, **{"child.id_number": TAKEN_THERE, "child.birth_date": "2018-04-04"})
    import_file(engine, write_roster(tmp_path / "here.csv", [here]), school)
    import_file(engine, write_roster(tmp_path / "there.csv", [there]), other_school)
    return school


def write_sample(tmp_path, suffix: str, encoding: str | None, rows=None):
    rows = sample_rows() if rows is None else rows
    path = tmp_path / f"roster{suffix}"
    if suffix == ".xlsx":
        return write_roster(path, rows, native=True)
    return write_roster(path, rows, encoding=encoding)


def count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("suffix", "encoding"), FORMATS)
def test_the_report_names_every_bad_row_and_column_and_nothing_is_written(
    engine, seeded, tmp_path, suffix, encoding
) -> None:
    path = write_sample(tmp_path, suffix, encoding)
    before = snapshot(engine)
    with pytest.raises(RosterRejected) as raised:
        import_file(engine, path, seeded)
    report = raised.value.report
    assert {(p.row, p.column) for p in report.problems} == {
        (CASES.index(case) + 2, case.column) for case in BAD
    }
    assert report.rows == len(CASES) and report.rejected == len(BAD)
    assert snapshot(engine) == before, "a failed import leaves the database as it was"


def test_problems_read_in_both_languages_and_never_repeat_a_value(engine, seeded, tmp_path):
    path = write_sample(tmp_path, ".csv", "utf-8")
    with pytest.raises(RosterRejected) as raised:
        import_file(engine, path, seeded)
    problems = raised.value.report.problems
    phone = next(p for p in problems if p.column == "父亲电话")
    assert phone.message.zh == "第 5 行，「父亲电话」：手机号应为 11 位、以 13–19 开头"
    assert phone.message.en == (
        "row 5, column '父亲电话': a mobile number has 11 digits starting 13-19"
    )
    text = " ".join(p.message.zh + p.message.en for p in problems)
    for secret in ("1380013800", TAKEN_HERE, TAKEN_THERE, child(2)["child.id_number"][:-1]):
        assert secret not in text
    reasons = {p.row: p.reason.en for p in problems}
    assert "check digit" in reasons[3]
    assert "differs from the birth date" in reasons[4]
    assert "same student no. as row 2" in reasons[9]
    assert "another student of this school" in reasons[10]
    assert "lost the digits" in reasons[12]
    assert "same class" in reasons[13]
    assert "same ID number as row 2" in reasons[15]
    assert "enrolled at another school" in reasons[16]


def test_english_headers_are_named_as_written(engine, school, tmp_path) -> None:
    path = write_roster(
        tmp_path / "r.csv", [child(1), child(2, **{"guardian.phone": "12"})], english=True
    )
    with pytest.raises(RosterRejected) as raised:
        import_file(engine, path, school)
    [problem] = raised.value.report.problems
    assert (problem.row, problem.column) == (3, "Guardian's phone")


@pytest.mark.parametrize(("suffix", "encoding"), [FORMATS[0], FORMATS[2]])
def test_valid_only_writes_the_good_rows_and_a_rejects_file_that_imports_once_fixed(
    engine, seeded, tmp_path, suffix, encoding
) -> None:
    path = write_sample(tmp_path, suffix, encoding)
    rejects = tmp_path / f"rejects{suffix}"
    report = import_file(engine, path, seeded, valid_only=True, rejects_path=rejects)
    assert (report.created, report.rejected) == (len(CASES) - len(BAD), len(BAD))
    with engine.connect() as connection:
        imported = set(
            connection.scalars(select(Child.student_no).where(Child.school_id == seeded))
        )
    assert imported == {"20260900", child(1)["child.student_no"], child(18)["child.student_no"]}

    if suffix == ".csv":
        assert rejects.read_bytes().startswith(b"\xef\xbb\xbf"), "Excel needs the BOM"
    first = (rejects.read_text("utf-8-sig") if suffix == ".csv" else "").splitlines()[:1]
    assert not first or first[0].endswith(",问题")
    edit_roster_file(
        rejects, {child(case.n, **case.changes)["child.student_no"]: case.fix for case in BAD}
    )
    again = import_file(engine, rejects, seeded)
    assert (again.created, again.rejected) == (len(BAD), 0)
    assert count(engine, Child) == len(CASES) + 2  # with the two seeded children


def test_reimporting_the_same_sheet_changes_nothing(engine, school, tmp_path) -> None:
    rows = [child(n) for n in range(1, 21)]
    rows[0] |= {"pairing.teacher": "T002", "pairing.buddy": rows[2]["child.student_no"]}
    path = write_roster(tmp_path / "r.xlsx", rows, native=True)
    first = import_file(engine, path, school)
    assert (first.created, first.updated, first.unchanged) == (20, 0, 0)
    before = snapshot(engine)
    again = import_file(engine, path, school)
    assert (again.created, again.updated, again.unchanged, again.changes) == (0, 0, 20, 0)
    assert snapshot(engine)[1] == before[1]


def test_reimporting_an_edited_sheet_updates_in_place_and_keeps_the_history(
    engine, school, tmp_path
) -> None:
    rows = [child(n) for n in range(1, 6)]
    import_file(engine, write_roster(tmp_path / "v1.csv", rows), school)
    rows[0]["guardian.phone"] = "0731-84561234"
    rows[1]["child.class"] = CLASSES[2]  # moved to 三年级1班
    rows[2]["mother.phone"] = ""  # an empty cell clears the field
    rows[3]["child.care_categories"] = "心理需求、学业困难"  # same set, other order: no change
    rows.append(child(6))
    report = import_file(
        engine, write_roster(tmp_path / "v2.csv", rows, encoding="gb18030"), school, actor="王老师"
    )
    assert (report.created, report.updated, report.unchanged) == (1, 3, 2)
    assert count(engine, Child) == 6, "updated in place, not duplicated"
    with engine.connect() as connection:
        changes = connection.execute(
            select(Child.student_no, RecordChange.field, RecordChange.old_value,
                   RecordChange.new_value, RecordChange.changed_by, RecordChange.source)
            .join(Child, Child.id == RecordChange.child_id)
            .where(RecordChange.changed_by == "王老师", RecordChange.field != "record")
            .order_by(Child.student_no)
        ).all()  # fmt: skip
        stored = connection.execute(
            select(Child.updated_by, Guardian.phone)
            .join(Guardian, Guardian.child_id == Child.id)
            .where(Child.student_no == rows[0]["child.student_no"])
        ).one()
    assert [tuple(c[:4]) for c in changes] == [
        (rows[0]["child.student_no"], "guardian.phone", "13700000001", "073184561234"),
        (rows[1]["child.student_no"], "child.class", CLASSES[0], CLASSES[2]),
        (rows[2]["child.student_no"], "mother.phone", "13900000003", None),
    ]
    assert {c.source for c in changes} == {"import v2.csv"}
    assert tuple(stored) == ("王老师", "073184561234")


def test_a_column_absent_from_the_file_leaves_its_field_alone(engine, school, tmp_path) -> None:
    import_file(engine, write_roster(tmp_path / "full.csv", [child(1)]), school)
    keys = [k for k in child(1) if not k.startswith(("child.home_address", "mother."))]
    changed = child(1, **{"guardian.occupation": "务农"})
    report = import_file(engine, write_roster(tmp_path / "part.csv", [changed], keys=keys), school)
    assert report.updated == 0, "guardian.occupation is not a column of part.csv either"
    with engine.connect() as connection:
        address = connection.scalar(select(Child.home_address))
        mothers = connection.scalar(select(func.count()).where(Parent.relation == "mother"))
    assert address == child(1)["child.home_address"] and mothers == 1


def test_a_new_pairing_teacher_ends_the_current_pairing_and_an_empty_cell_keeps_it(
    engine, school, tmp_path
) -> None:
    rows = [child(1, **{"pairing.teacher": "T002"}), child(3)]
    import_file(engine, write_roster(tmp_path / "a.csv", rows), school)
    rows[0] |= {"pairing.teacher": "T003", "pairing.buddy": rows[1]["child.student_no"]}
    later = NOW.replace(month=10)
    report = import_file(engine, write_roster(tmp_path / "b.csv", rows), school, now=later)
    assert report.updated == 1 and report.changes == 2
    rows[0] |= {"pairing.teacher": "", "pairing.buddy": ""}
    again = import_file(engine, write_roster(tmp_path / "c.csv", rows), school, now=later)
    assert again.changes == 0, "an empty pairing cell never ends a pairing"
    with engine.connect() as connection:
        pairings = connection.execute(
            select(
                Pairing.teacher_id, Pairing.buddy_child_id, Pairing.started_on, Pairing.ended_on
            ).order_by(Pairing.id)
        ).all()
    assert [(p.started_on, p.ended_on) for p in pairings] == [
        (NOW.date(), later.date()),
        (later.date(), None),
    ]
    assert pairings[1].buddy_child_id is not None


def test_a_buddy_named_further_down_the_file_is_paired(engine, school, tmp_path) -> None:
    last = child(9)
    rows = [child(1, **{"pairing.teacher": "T001", "pairing.buddy": last["child.student_no"]}),
            *(child(n) for n in range(2, 9)), last]  # fmt: skip
    import_file(engine, write_roster(tmp_path / "r.csv", rows), school, chunk_size=2)
    with engine.connect() as connection:
        buddy = connection.scalar(
            select(Child.student_no).join(Pairing, Pairing.buddy_child_id == Child.id)
        )
    assert buddy == last["child.student_no"]


def test_a_buddy_without_a_teacher_is_refused_for_a_child_not_yet_paired(
    engine, school, tmp_path
) -> None:
    rows = [child(1, **{"pairing.buddy": child(3)["child.student_no"]}), child(3)]
    with pytest.raises(RosterRejected) as raised:
        import_file(engine, write_roster(tmp_path / "r.csv", rows), school)
    [problem] = raised.value.report.problems
    assert problem.column == "学习帮手学号" and "pairing teacher" in problem.reason.en


def test_a_row_whose_buddy_is_rejected_is_rejected_too_with_valid_only(
    engine, school, tmp_path
) -> None:
    rows = [
        child(1, **{"pairing.teacher": "T001", "pairing.buddy": child(3)["child.student_no"]}),
        child(3, **{"guardian.phone": "1"}),
        child(5),
    ]
    report = import_file(engine, write_roster(tmp_path / "r.csv", rows), school, valid_only=True)
    assert report.created == 1 and report.rejected == 2
    assert {(p.row, p.column) for p in report.problems} == {(2, "学习帮手学号"), (3, "监护人电话")}


def test_a_classmate_not_on_the_roster_is_a_buddy_by_name(engine, school, tmp_path) -> None:
    """The plans' buddies are classmates in general (学习帮手, 一帮一): one who is not left behind
    is not on the roster, so the file names them."""
    rows = [child(1, **{"pairing.teacher": "T001", "pairing.buddy_name": "王小红"}), child(2)]
    import_file(engine, write_roster(tmp_path / "r.xlsx", rows), school)
    with engine.connect() as connection:
        pairing = connection.execute(select(Pairing.buddy_child_id, Pairing.buddy_name)).one()
    assert tuple(pairing) == (None, "王小红")
    again = import_file(engine, write_roster(tmp_path / "r.xlsx", rows), school)
    assert again.unchanged == 2, "the same name again changes nothing"


def test_a_school_sheets_buddy_column_reads_as_the_buddys_name(engine, school, tmp_path) -> None:
    keys = [c.key for c in CHILD_COLUMNS if c.key != "pairing.buddy_name"]
    path = write_roster(tmp_path / "r.csv", [child(1, **{"pairing.teacher": "T001"})], keys=keys)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",学习帮手"
    lines[1] += ",李想"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_file(engine, path, school)
    with engine.connect() as connection:
        assert connection.scalar(select(Pairing.buddy_name)) == "李想"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"pairing.buddy_name": "20260003"}, "学习帮手学号"),
        ({"pairing.buddy_name": "王小红", "pairing.buddy": "20260003"}, "只填一项"),
    ],
)
def test_a_buddy_name_that_is_a_number_or_given_twice_is_refused(
    engine, school, tmp_path, changes, words
) -> None:
    rows = [child(1, **{"pairing.teacher": "T001", **changes}), child(3)]
    before = snapshot(engine)
    with pytest.raises(RosterRejected) as raised:
        import_file(engine, write_roster(tmp_path / "r.xlsx", rows), school)
    [problem] = raised.value.report.problems
    assert (problem.row, problem.column) == (2, "学习帮手姓名")
    assert words in problem.reason.zh
    assert snapshot(engine) == before


def test_a_named_buddy_for_a_child_not_yet_paired_needs_a_teacher(engine, school, tmp_path):
    rows = [child(1, **{"pairing.buddy_name": "王小红"})]
    with pytest.raises(RosterRejected) as raised:
        import_file(engine, write_roster(tmp_path / "r.csv", rows), school)
    [problem] = raised.value.report.problems
    assert problem.column == "学习帮手姓名" and "pairing teacher" in problem.reason.en


def test_a_named_buddy_gives_way_to_a_roster_classmate_and_the_history_says_so(
    engine, school, tmp_path
) -> None:
    first = [child(1, **{"pairing.teacher": "T001", "pairing.buddy_name": "王小红"}), child(3)]
    import_file(engine, write_roster(tmp_path / "r.csv", first), school)
    second = [child(1, **{"pairing.buddy": child(3)["child.student_no"]}), child(3)]
    import_file(engine, write_roster(tmp_path / "r.csv", second), school)
    with engine.connect() as connection:
        current = connection.execute(
            select(Pairing.buddy_child_id, Pairing.buddy_name).where(Pairing.ended_on.is_(None))
        ).one()
        history = connection.execute(
            select(RecordChange.field, RecordChange.old_value, RecordChange.new_value)
            .where(RecordChange.field.like("pairing.%"))
            .order_by(RecordChange.id)
        ).all()
    assert current.buddy_child_id is not None and current.buddy_name is None
    assert [tuple(h) for h in history] == [
        ("pairing.buddy", None, child(3)["child.student_no"]),
        ("pairing.buddy_name", "王小红", None),
    ]


def test_progress_is_reported_per_chunk(engine, school, tmp_path) -> None:
    rows = [child(n) for n in range(1, 8)]
    calls: list[tuple[str, int, int | None]] = []
    import_file(
        engine,
        write_roster(tmp_path / "r.csv", rows),
        school,
        chunk_size=3,
        progress=lambda phase, done, total: calls.append((phase.en, done, total)),
    )
    assert ("checking", 7, 7) in calls
    assert [c for c in calls if c[0] == "writing"] == [
        ("writing", 3, 7),
        ("writing", 6, 7),
        ("writing", 7, 7),
    ]


def test_a_file_changed_before_its_rejects_are_copied_is_refused(engine, school, tmp_path) -> None:
    """The rejects file is the one step that reads the file again: it must be the same file."""
    from guanai.core.roster import importer

    path = write_roster(tmp_path / "r.csv", [child(1), child(2, **{"child.gender": "?"})])

    def edited_once_checked(phase, done, total) -> None:
        if total is not None:  # the check is over: the user saves the file again
            with path.open("a", encoding="utf-8") as file:
                file.write("20269999\n")

    with pytest.raises(importer.RosterFileError, match="被修改"):
        import_file(
            engine, path, school, valid_only=True, rejects_path=tmp_path / "rejects.csv",
            progress=edited_once_checked,
        )  # fmt: skip
    assert count(engine, Child) == 0


def test_an_import_writes_in_the_callers_transaction(engine, school, tmp_path) -> None:
    path = write_roster(tmp_path / "r.csv", [child(1)])
    with pytest.raises(RuntimeError), transaction(engine) as session:
        from guanai.core.roster.importer import import_roster

        import_roster(session, path, school_id=school, actor="a", now=NOW)
        raise RuntimeError("the caller fails after the import")
    assert count(engine, Child) == 0


def test_an_id_number_may_move_between_children_only_if_both_rows_are_written(
    engine, school, tmp_path
) -> None:
    first, second = child(1), child(3, **{"child.birth_date": child(1)["child.birth_date"]})
    second["child.id_number"] = id_number(date.fromisoformat(first["child.birth_date"]), 999)
    import_file(engine, write_roster(tmp_path / "a.csv", [first, second]), school)
    # The two ID numbers were swapped by mistake: the corrected file swaps them back.
    first["child.id_number"], second["child.id_number"] = (
        second["child.id_number"],
        first["child.id_number"],
    )
    report = import_file(engine, write_roster(tmp_path / "b.csv", [first, second]), school)
    assert report.updated == 2

    first["child.id_number"], second["child.id_number"] = (
        second["child.id_number"],
        first["child.id_number"],
    )
    second["guardian.phone"] = "1"  # the holder's row is rejected: its ID number stays
    report = import_file(
        engine, write_roster(tmp_path / "c.csv", [first, second]), school, valid_only=True
    )
    assert report.created == report.updated == 0 and report.rejected == 2
    assert {(p.row, p.column) for p in report.problems} == {(2, "身份证号"), (3, "监护人电话")}


def test_a_file_without_a_required_column_updates_children_but_creates_none(
    engine, school, tmp_path
) -> None:
    """An export without contact details has no 监护人电话 column: importing it back updates
    the children it has and leaves their phones alone, but cannot create a child."""
    import_file(engine, write_roster(tmp_path / "full.csv", [child(1), child(3)]), school)
    keys = [k for k in child(1) if k not in ("guardian.phone", "child.class")]
    rows = [
        child(1, **{"guardian.name": "王奶奶", "pairing.teacher": "T001",
                    "pairing.buddy": child(3)["child.student_no"]}),
        child(5),
    ]  # fmt: skip
    path = write_roster(tmp_path / "contactless.csv", rows, keys=keys)
    with pytest.raises(RosterRejected) as raised:
        import_file(engine, path, school)
    [problem] = raised.value.report.problems
    assert (problem.row, problem.column) == (3, "学号") and "监护人电话" in problem.reason.zh
    report = import_file(engine, path, school, valid_only=True)
    assert (report.created, report.updated, report.rejected) == (0, 1, 1)
    with engine.connect() as connection:
        phone = connection.scalar(select(Guardian.phone).where(Guardian.name == "王奶奶"))
    assert phone == child(1)["guardian.phone"]


def test_statistics_are_refreshed_as_a_large_import_grows_the_tables(
    engine, school, tmp_path, monkeypatch
) -> None:
    """On PostgreSQL the writer runs ANALYZE inside the import's transaction as the school
    grows (see RosterWriter._refresh_statistics); here at every doubling from one child."""
    from guanai.core import records

    monkeypatch.setattr(records, "STATISTICS_MIN_ROWS", 1)
    rows = [child(n) for n in range(1, 9)]
    report = import_file(engine, write_roster(tmp_path / "r.csv", rows), school, chunk_size=1)
    assert report.created == 8 and count(engine, Child) == 8
