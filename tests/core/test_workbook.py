"""What every spreadsheet guanai writes guarantees: cells that never run, and private files.

The commands that write these files are walked end to end in tests/test_output_safety.py.
"""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from guanai.core.workbook import (
    PERCENT,
    Sheet,
    as_typed,
    csv_file,
    csv_text,
    new_workbook,
    save,
)

HOSTILE = [
    '=HYPERLINK("http://example.invalid","点我")',
    "+cmd|' /C calc'!A0",
    "-小明",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "+8613800000000",
    "#N/A",
]
PLAIN = ["张小明", "13800000000", "0731-84561234", "'", "'abc", "a=b", "", "小明-"]


@pytest.fixture(autouse=True)
def _umask() -> Iterator[None]:
    """A usual umask: a file created with the default mode would be readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_formula_like_text_is_a_text_cell_marked_as_text_everywhere_in_a_sheet(tmp_path):
    book = new_workbook()
    sheet = Sheet(book, "表", ["=header", "rate"], formats={1: PERCENT})
    for value in HOSTILE:
        sheet.append([value, value])  # the second column has a number format
    sheet.heading("=heading", "@heading")
    path = tmp_path / "out.xlsx"
    save(book, path)
    cells = [cell for row in load_workbook(path)["表"].iter_rows() for cell in row]
    assert [c.value for c in cells] == ["=header", "rate", *(v for v in HOSTILE for _ in "ab"),
                                        "=heading", "@heading"]  # fmt: skip
    assert all(c.data_type == "s" and c.quotePrefix for c in cells if c.value != "rate")


def test_other_values_are_written_plainly(tmp_path):
    book = new_workbook()
    sheet = Sheet(book, "表", ["a"])
    for value in [*PLAIN, -5, 0.25]:
        sheet.append([value])
    path = tmp_path / "out.xlsx"
    save(book, path)
    cells = [row[0] for row in load_workbook(path)["表"].iter_rows(min_row=2)]
    assert [c.value for c in cells] == [*(v or None for v in PLAIN), -5, 0.25]
    assert not any(c.quotePrefix for c in cells)


@pytest.mark.parametrize("value", [*HOSTILE, *PLAIN, "'=x", "''=x", "'-"])
def test_a_csv_cell_is_never_formula_like_and_means_what_its_value_means(value):
    written = csv_text(value)
    assert written[:1] not in set("=+-@\t\r")
    assert as_typed(written) == as_typed(value)


@pytest.mark.parametrize("value", [*HOSTILE, *PLAIN])
def test_a_value_guanai_stores_reads_back_from_a_csv_exactly(value):
    assert as_typed(csv_text(value)) == value


def test_numbers_are_not_marked_in_a_csv():
    assert csv_text(-5) == "-5" and csv_text(None) == "" and csv_text(1.5) == "1.5"


def test_as_typed_drops_only_the_mark_before_a_formula_character():
    assert as_typed("'+8613800000000") == "+8613800000000"
    assert as_typed("'-小明") == "-小明"
    assert as_typed("'abc") == "'abc"
    assert as_typed("'") == "'"
    assert as_typed(None) is None and as_typed(5) == 5


def test_a_csv_file_is_private_from_its_first_byte_and_appears_whole(tmp_path):
    path = tmp_path / "out.csv"
    with csv_file(path) as sheet:
        sheet.append(["学号", "姓名"])
        sheet.append(["20260001", "=HYPERLINK(1)"])
        assert not path.exists()
        (staged,) = tmp_path.iterdir()
        assert _mode(staged) == 0o600
    assert _mode(path) == 0o600
    assert list(tmp_path.iterdir()) == [path]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    with path.open(encoding="utf-8-sig", newline="") as file:
        assert list(csv.reader(file)) == [["学号", "姓名"], ["20260001", "'=HYPERLINK(1)"]]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_file_written_over_a_readable_one_ends_private(tmp_path, kind):
    path = tmp_path / f"out.{kind}"
    path.write_text("old")
    path.chmod(0o644)
    if kind == "xlsx":
        book = new_workbook()
        Sheet(book, "表", ["a"]).append(["=1"])
        save(book, path)
    else:
        with csv_file(path) as sheet:
            sheet.append(["=1"])
    assert _mode(path) == 0o600
    assert path.read_bytes() != b"old"


def test_a_failed_csv_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old")
    with pytest.raises(RuntimeError), csv_file(path) as sheet:
        sheet.append(["new"])
        raise RuntimeError
    assert path.read_text() == "old"
    assert list(tmp_path.iterdir()) == [path]
