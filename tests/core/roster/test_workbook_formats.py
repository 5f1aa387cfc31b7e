"""Workbooks from other programs: old .xls, WPS/LibreOffice .ods, and the encrypted workbook
``guanai export --password`` writes, each imported as an .xlsx is."""

from __future__ import annotations

import tempfile
from datetime import date

import pytest
from roster_samples import child, full_width, import_file, write_roster, write_table
from sqlalchemy import select

from guanai.core.config import LimitSettings
from guanai.core.models import Child
from guanai.core.roster.reading import RosterFileError, open_roster, workbook_sheets
from guanai.core.workbook import encrypt

PASSWORD = "s3cret-口令"


def students(engine) -> list[tuple]:
    with engine.connect() as connection:
        return connection.execute(
            select(Child.student_no, Child.birth_date).order_by(Child.student_no)
        ).all()


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
@pytest.mark.parametrize("native", [True, False], ids=["numbers-and-dates", "text"])
def test_xls_and_ods_rosters_import_as_xlsx_does(engine, school, tmp_path, suffix, native):
    rows = [child(1), child(2, **{"child.student_no": full_width("20260002")}), child(3)]
    path = write_roster(tmp_path / f"r{suffix}", rows, native=native)
    assert workbook_sheets(path) == ("留守儿童", "说明")
    report = import_file(engine, path, school)
    assert (report.rows, report.created) == (3, 3)
    assert students(engine) == [
        (f"2026000{n}", date.fromisoformat(child(n)["child.birth_date"])) for n in (1, 2, 3)
    ]
    again = import_file(engine, write_roster(tmp_path / "r.xlsx", rows, native=native), school)
    assert again.unchanged == 3, "the same records as from an .xlsx"


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_a_title_row_and_the_limits_apply_to_xls_and_ods(tmp_path, suffix) -> None:
    headers = ["学号", "姓名"]
    path = write_table(
        tmp_path / f"r{suffix}", [["某某小学留守儿童名册"], headers, *[["1", "张三"]] * 5]
    )
    roster = open_roster(path)
    assert (roster.header_row, len(list(roster.rows()))) == (2, 5)
    with pytest.raises(RosterFileError, match="rows"):
        list(open_roster(path, LimitSettings(rows=4)).rows())
    with pytest.raises(RosterFileError, match="cell_chars"):
        list(open_roster(path, LimitSettings(cell_chars=1)).rows())


@pytest.fixture
def encrypted(tmp_path):
    """The roster encrypted as ``guanai export --password`` encrypts it (ECMA-376 agile)."""
    folder = tmp_path / "in"
    folder.mkdir()
    plain = write_roster(folder / "plain.xlsx", [child(1), child(2)])
    path = folder / "protected.xlsx"
    encrypt(plain, path, PASSWORD)
    plain.unlink()
    return path


def test_an_encrypted_workbook_imports_with_its_password_never_decrypted_to_a_file(
    engine, school, encrypted, tmp_path, monkeypatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where a temporary file would go
    report = import_file(engine, encrypted, school, password=PASSWORD)
    assert report.created == 2
    assert [p.name for p in encrypted.parent.iterdir()] == ["protected.xlsx"]
    assert list(scratch.iterdir()) == [], "the plain workbook is in memory, never in a file"


def test_an_encrypted_workbook_without_its_password_is_refused_naming_the_file(encrypted):
    with pytest.raises(RosterFileError) as raised:
        open_roster(encrypted)
    assert raised.value.label.zh.startswith("protected.xlsx 有密码保护")
    assert "--password" in raised.value.label.en


def test_a_wrong_password_is_refused_naming_the_file_and_never_the_password(encrypted) -> None:
    with pytest.raises(RosterFileError) as raised:
        open_roster(encrypted, password="wrong-口令")
    label = raised.value.label
    assert label.en == "cannot open protected.xlsx with the password given: wrong password"
    assert "wrong-口令" not in label.zh + label.en


def test_a_password_for_a_plain_workbook_is_not_needed(tmp_path) -> None:
    path = write_roster(tmp_path / "plain.xlsx", [child(1)])
    assert len(list(open_roster(path, password="unused").rows())) == 1
