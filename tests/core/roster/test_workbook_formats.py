"""Workbooks from other programs: old .xls, WPS/LibreOffice .ods, and the encrypted workbook
``guanai export --password`` writes, each imported as an .xlsx is."""

from __future__ import annotations

import tempfile
import zipfile
from datetime import date

import pytest
from roster_samples import child, full_width, import_file, write_roster, write_table
from sqlalchemy import select

from guanai.core.config import LimitSettings
from guanai.core.models import Child
from guanai.core.roster import encrypted as encrypted_module
from guanai.core.roster.encrypted import decrypting_once
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


def test_within_one_import_an_encrypted_workbook_is_decrypted_once(encrypted, monkeypatch):
    """Its sheets are each opened anew, and a decryption costs about 0.3 s."""
    calls = []
    real = encrypted_module.decrypt
    monkeypatch.setattr(encrypted_module, "decrypt", lambda *a: calls.append(a) or real(*a))
    with decrypting_once():
        assert workbook_sheets(encrypted, password=PASSWORD)
        assert len(list(open_roster(encrypted, password=PASSWORD).rows())) == 2
    assert len(calls) == 1
    open_roster(encrypted, password=PASSWORD)
    assert len(calls) == 2, "outside it, nothing decrypted is kept"


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


def _ods_with(path, rows_xml: str) -> None:
    """An .ods whose sheet holds a header row and then ``rows_xml`` as written."""
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        f' xmlns:table="{table}" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' office:version="1.2"><office:body><office:spreadsheet><table:table table:name="留守儿童">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>学号</text:p>'
        "</table:table-cell></table:table-row>"
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry'
            ' manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )


FILLED = '<table:table-cell office:value-type="string"><text:p>1</text:p></table:table-cell>'


@pytest.mark.parametrize(
    ("rows_xml", "says"),
    [
        (f'<table:table-row table:number-rows-repeated="1048576">{FILLED}</table:table-row>',
         "raise rows"),
        ('<table:table-row><table:table-cell table:number-columns-repeated="16384"'
         ' office:value-type="string"><text:p>1</text:p></table:table-cell></table:table-row>',
         "raise columns"),
        ('<table:table-row table:number-rows-repeated="900000"><table:table-cell'
         ' table:number-columns-repeated="100" office:value-type="string"><text:p>1</text:p>'
         "</table:table-cell></table:table-row>", "raise unpacked_mb"),
    ],
    ids=["a-million-repeated-rows", "a-cell-repeated-16384-times", "spread-out-too-large"],
)  # fmt: skip
def test_an_ods_whose_repeats_would_spread_out_too_far_is_refused_before_it_is_opened(
    tmp_path, rows_xml, says
) -> None:
    path = tmp_path / "bomb.ods"
    _ods_with(path, rows_xml)
    assert path.stat().st_size < 2000
    with pytest.raises(RosterFileError) as raised:
        open_roster(path)
    assert (
        raised.value.label.en.startswith("bomb.ods: content.xml ") and says in raised.value.label.en
    )


def test_the_empty_rows_and_cells_libreoffice_writes_after_a_sheet_cost_nothing(tmp_path):
    path = tmp_path / "lo.ods"
    _ods_with(
        path,
        f'<table:table-row>{FILLED}<table:table-cell table:number-columns-repeated="1023"/>'
        '</table:table-row><table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>',
    )
    assert [row.cells for row in open_roster(path).rows()] == [{"学号": "1"}]


@pytest.mark.parametrize(
    ("last", "says"),
    [((65535, 0), "raise rows"), ((1, 255), "raise columns"), ((50000, 99), "raise unpacked_mb")],
    ids=["far-down", "far-right", "spread-out-too-large"],
)
def test_an_xls_whose_cells_spread_too_far_is_refused_before_it_is_opened(
    tmp_path, last, says
) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("留守儿童")
    sheet.write(0, 0, "学号")
    sheet.write(*last, "1")
    path = tmp_path / "sparse.xls"
    book.save(str(path))
    limits = LimitSettings(rows=60_000, unpacked_mb=256)
    with pytest.raises(RosterFileError) as raised:
        open_roster(path, limits)
    assert raised.value.label.en.startswith("sparse.xls ") and says in raised.value.label.en
