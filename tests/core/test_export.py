"""The roster export: the import's columns, one row per child, safe by default, encrypted on request."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
from export_samples import fill_contact_cards, is_zip, leaks, private_values, read_book
from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core import paging
from guanai.core.access import AccessError, Viewer
from guanai.core.demo import create_demo_school
from guanai.core.masking import mask_id_number, mask_phone
from guanai.core.models import Child, Guardian, Pairing, SchoolClass, Teacher
from guanai.core.roster.columns import CHILD_COLUMNS
from guanai.core.roster.export import SHEET, export_roster
from guanai.core.roster.importer import import_roster
from guanai.core.workbook import PasswordError, Sheet, decrypted, new_workbook, save

COORDINATOR = Viewer("关爱办", "coordinator")
BUREAU = Viewer("教育局", "bureau")
PASSWORD = "s3cret-pw"
ALL_HEADERS = [column.header.zh for column in CHILD_COLUMNS]
PUBLIC_HEADERS = [column.header.zh for column in CHILD_COLUMNS if not column.private]


@pytest.fixture
def school(session: Session) -> int:
    school_id = create_demo_school(session, children=24)
    fill_contact_cards(session, school_id)
    session.commit()
    return school_id


def export(session: Session, path: Path, school: int, **options: object) -> list[tuple]:
    options.setdefault("viewer", COORDINATOR)
    export_roster(session, path, school_id=school, **options)  # type: ignore[arg-type]
    password = options.get("password")
    return read_book(path, password if isinstance(password, str) else None)[SHEET]


def by_student_no(rows: list[tuple]) -> dict[str, dict[str, object]]:
    header = rows[0]
    # a row's empty cells at its end are not stored: pad them back
    padded = ([*row, *[None] * (len(header) - len(row))] for row in rows[1:])
    return {row[0]: dict(zip(header, row, strict=True)) for row in padded}


def test_a_full_export_has_exactly_the_roster_columns_in_order(session, school, tmp_path):
    rows = export(session, tmp_path / "roster.xlsx", school, with_contacts=True)
    assert list(rows[0]) == ALL_HEADERS


def test_the_default_export_leaves_contact_details_out(session, school, tmp_path):
    path = tmp_path / "roster.xlsx"
    summary = export_roster(session, path, school_id=school, viewer=COORDINATOR)
    book = read_book(path)
    assert list(book) == [SHEET]
    assert list(book[SHEET][0]) == PUBLIC_HEADERS
    secrets = private_values(session, school)
    secrets["names"] = set()  # names are not contact details: the coordinator sees them
    assert leaks(book, secrets) == []
    assert not summary.contacts and not summary.protected and summary.rows == 24


def test_every_child_has_one_row_rendered_as_the_import_reads_it(session, school, tmp_path):
    child = session.scalars(
        select(Child).where(Child.school_id == school).order_by(Child.id)
    ).first()
    child.enrolment_status = "transferred"
    child.care_categories = ["study", "psychological"]
    child.five_clears = ["situation", "guardian"]
    child.key_target = True
    session.commit()
    rows = export(session, tmp_path / "roster.xlsx", school, password=PASSWORD)
    assert len(rows) == 1 + 24, "enrolled or not, every child is exported"
    row = by_student_no(rows)[child.student_no]
    pairing = session.scalars(select(Pairing).where(Pairing.child_id == child.id)).one()
    teacher = session.get_one(Teacher, pairing.teacher_id)
    buddy = session.get_one(Child, pairing.buddy_child_id)
    guardian = session.scalars(select(Guardian).where(Guardian.child_id == child.id)).one()
    assert row["姓名"] == child.name
    assert row["班级"] == session.get_one(SchoolClass, child.class_id).name
    assert row["学籍状态"] == "转出"
    assert row["关爱类别"] == "学业困难、心理需求"
    assert row["五个清楚"] == "基本情况清楚、监护人情况清楚"
    assert row["重点帮扶对象"] == "是"
    assert row["身份证号"] == child.id_number
    assert row["父亲电话"] == f"139{child.id:08d}"
    assert row["监护人电话"] == guardian.phone
    assert row["帮扶教师工号"] == teacher.code
    assert row["学习帮手学号"] == buddy.student_no
    assert row["性别"] in ("男", "女")
    born = row["出生日期"]
    assert isinstance(born, date) and born.date() == child.birth_date  # type: ignore[attr-defined]


def test_children_are_read_in_keyset_pages(session, school, tmp_path, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", 5)
    pages: list[int] = []
    export_roster(
        session, tmp_path / "r.xlsx", school_id=school, viewer=COORDINATOR, progress=pages.append
    )
    assert pages == [5, 5, 5, 5, 4]
    rows = read_book(tmp_path / "r.xlsx")[SHEET][1:]
    expected = session.scalars(
        select(Child.student_no).where(Child.school_id == school).order_by(Child.id)
    ).all()
    assert [row[0] for row in rows] == expected


def test_a_password_export_is_really_encrypted(session, school, tmp_path):
    path = tmp_path / "roster.xlsx"
    summary = export_roster(session, path, school_id=school, viewer=COORDINATOR, password=PASSWORD)
    assert summary.protected and summary.contacts
    assert not is_zip(path), "an encrypted workbook is not a readable zip"
    with pytest.raises(Exception):  # noqa: B017 - openpyxl cannot read it at all
        openpyxl.load_workbook(path)
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        read_book(path, "wrong-password")
    rows = read_book(path, PASSWORD)[SHEET]
    assert list(rows[0]) == ALL_HEADERS
    ids = {row[ALL_HEADERS.index("身份证号")] for row in rows[1:]}
    assert ids == private_values(session, school)["ids"], "the coordinator's file is in clear"


def test_with_contacts_alone_writes_them_in_clear_and_unprotected(session, school, tmp_path):
    path = tmp_path / "roster.xlsx"
    summary = export_roster(session, path, school_id=school, viewer=COORDINATOR, with_contacts=True)
    assert summary.contacts and not summary.protected and is_zip(path)
    child = session.scalars(select(Child).where(Child.school_id == school)).first()
    assert by_student_no(read_book(path)[SHEET])[child.student_no]["身份证号"] == child.id_number


def test_exported_files_are_readable_only_by_their_owner(session, school, tmp_path):
    path = tmp_path / "roster.xlsx"
    export_roster(session, path, school_id=school, viewer=COORDINATOR, password=PASSWORD)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".guanai-")] == []


def test_a_head_teacher_sees_only_their_own_childrens_contact_details(session, school, tmp_path):
    own_class = session.scalars(
        select(SchoolClass).where(SchoolClass.school_id == school).order_by(SchoolClass.id)
    ).first()
    viewer = Viewer("班主任", "head_teacher", own_class.head_teacher_id, school)
    path = tmp_path / "roster.xlsx"
    summary = export_roster(session, path, school_id=school, viewer=viewer, with_contacts=True)
    rows = by_student_no(read_book(path)[SHEET])
    children = session.scalars(select(Child).where(Child.school_id == school)).all()
    for child in children:
        row = rows[child.student_no]
        phone = f"139{child.id:08d}"
        if child.class_id == own_class.id:
            assert row["父亲电话"] == phone and row["身份证号"] == child.id_number
        else:
            assert row["父亲电话"] == mask_phone(phone)
            assert row["身份证号"].startswith("990101") and "*" in row["身份证号"]
            assert row["家庭住址"] == "***"
        assert row["姓名"] == child.name, "school staff see names"
    own = sum(1 for c in children if c.class_id == own_class.id)
    assert summary.masked_rows == len(children) - own


def test_a_bureau_viewer_never_gets_a_name_or_contact_detail(session, school, tmp_path):
    path = tmp_path / "roster.xlsx"
    export_roster(session, path, school_id=school, viewer=BUREAU, password=PASSWORD)
    book = read_book(path, PASSWORD)
    assert leaks(book, private_values(session, school)) == []
    child = session.scalars(select(Child).where(Child.school_id == school)).first()
    assert by_student_no(book[SHEET])[child.student_no]["姓名"] == child.name[0] + "*" * (
        len(child.name) - 1
    )


def test_a_viewer_of_one_school_cannot_export_another(session, school, tmp_path):
    other = create_demo_school(session, code="OTHER", name="另一小学", children=3)
    viewer = Viewer("别校关爱办", "coordinator", None, other)
    with pytest.raises(AccessError):
        export_roster(session, tmp_path / "r.xlsx", school_id=school, viewer=viewer)
    assert not (tmp_path / "r.xlsx").exists()


def test_text_that_looks_like_a_formula_is_written_as_text(session, school, tmp_path):
    guardian = session.scalars(select(Guardian).order_by(Guardian.id)).first()
    guardian.occupation = '=HYPERLINK("http://example.invalid","点我")'
    session.commit()
    path = tmp_path / "roster.xlsx"
    export_roster(session, path, school_id=school, viewer=COORDINATOR)
    sheet = openpyxl.load_workbook(path)[SHEET]
    column = PUBLIC_HEADERS.index("监护人职业") + 1
    found = [
        cell
        for (cell,) in sheet.iter_rows(min_col=column, max_col=column, min_row=2)
        if cell.value == guardian.occupation
    ]
    assert len(found) == 1 and found[0].data_type == "s"


def test_an_encrypted_export_decrypts_to_a_roster_that_imports_unchanged(session, school, tmp_path):
    path = tmp_path / "roster.xlsx"
    export_roster(session, path, school_id=school, viewer=COORDINATOR, password=PASSWORD)
    with pytest.raises(PasswordError), decrypted(path, "wrong-password"):
        pass
    with decrypted(path, PASSWORD) as plain:
        report = import_roster(
            session, plain, school_id=school, actor="t", now=datetime(2026, 9, 10, tzinfo=UTC)
        )
    assert (report.created, report.updated, report.unchanged) == (0, 0, 24)


def test_a_full_sheet_continues_on_a_new_sheet_with_the_same_headers(tmp_path):
    book = new_workbook()
    sheet = Sheet(book, "谈心记录", ["学号", "姓名"], max_rows=3)
    for n in range(5):
        sheet.append([f"2026{n:04d}", f"学生{n}"])
    save(book, tmp_path / "big.xlsx")
    parts = read_book(tmp_path / "big.xlsx")
    assert list(parts) == ["谈心记录", "谈心记录(2)", "谈心记录(3)"]
    assert all(rows[0] == ("学号", "姓名") for rows in parts.values())
    assert [row[0] for rows in parts.values() for row in rows[1:]] == [
        f"2026{n:04d}" for n in range(5)
    ]
    assert sheet.rows == 5


@pytest.mark.parametrize("stored", ["12345", "1234567", "A1"])
def test_a_malformed_id_number_is_masked_whole(stored):
    assert mask_id_number(stored) == "*" * len(stored)


def test_a_buddy_off_the_roster_is_exported_by_name_masked_for_the_bureau(
    session, school, tmp_path
):
    pairing = session.scalars(
        select(Pairing).where(Pairing.ended_on.is_(None)).order_by(Pairing.id)
    ).first()
    pairing.buddy_child_id, pairing.buddy_name = None, "王小红"
    student_no = session.get(Child, pairing.child_id).student_no
    session.commit()
    mine = by_student_no(export(session, tmp_path / "mine.xlsx", school))[student_no]
    assert (mine["学习帮手学号"], mine["学习帮手姓名"]) == (None, "王小红")
    bureau = export(session, tmp_path / "bureau.xlsx", school, viewer=BUREAU, password=PASSWORD)
    assert by_student_no(bureau)[student_no]["学习帮手姓名"] == "王**"
    with decrypted(tmp_path / "bureau.xlsx", PASSWORD) as plain:
        assert "王小红".encode() not in plain.read_bytes()
    report = import_roster(
        session, tmp_path / "mine.xlsx", school_id=school, actor="t", now=datetime.now(UTC)
    )
    assert report.unchanged == 24, "the export imports again unchanged"
