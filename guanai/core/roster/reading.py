"""Reading a roster file (.xlsx or .csv) as rows of ``{header: raw cell}``, one at a time.

A 260,000-row roster must never sit in memory at once: :meth:`RosterFile.rows` is a generator
that reads the file anew on every call (openpyxl in ``read_only`` mode, CSV through the
:mod:`csv` module), so a caller can read it as often as it needs.

Cells arrive as Excel or the CSV holds them, with two normalisations: whole numbers become their
digits (``13800138000.0`` → ``"13800138000"``, as Excel stores phones and student numbers typed
without a leading apostrophe), and numbers too long for Excel to keep every digit become
:class:`LostDigits`, which the checks report instead of guessing at the missing digits.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any

from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.roster.columns import CHILD_COLUMNS, Column, column_for

SHEET_NAMES = ("留守儿童", "children")
PROBLEMS_HEADER = Label("问题", "Problems")
"""The column a rejects file adds; ignored on import, so a fixed rejects file imports as is."""
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
"""Tried in order, strictly. UTF-8 first: GB18030 decodes almost any byte string, UTF-8 does not,
so a GB18030 file is never mistaken for UTF-8, while the reverse would garble every character."""
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number
IDENTITY = "child.student_no"  # the column that matches a row to a stored record
HEADER_SEARCH_ROWS = 20  # rows searched for the header row


class RosterFileError(GuanaiError):
    """The file cannot be read as a roster: wrong format, encoding, or headers."""


@dataclass(frozen=True)
class LostDigits:
    """A number Excel stored with more than 15 digits: the digits past the 15th are lost."""

    number: float

    def __str__(self) -> str:
        return str(int(self.number))


@dataclass(frozen=True)
class SheetRow:
    number: int  # the spreadsheet's 1-based row number, as the user sees it
    cells: dict[str, Any]  # header as written in the file -> raw cell value


@dataclass(frozen=True)
class RosterFile:
    """An opened roster: its headers checked, its rows to be read (as often as needed)."""

    path: Path
    format: str  # "xlsx" or "csv"
    headers: tuple[str, ...]  # as written, in file order; empty headers are ""
    columns: dict[str, Column]  # header as written -> its column (the problems column excluded)
    header_row: int
    encoding: str | None = None  # CSV only
    delimiter: str = ","
    sheet: str | None = None  # xlsx only

    @property
    def missing_required(self) -> tuple[Column, ...]:
        """Required columns the file leaves out: fine for rows updating a child already in the
        database (their stored values stay), an error for rows that would create one."""
        keys = self.keys
        return tuple(c for c in CHILD_COLUMNS if c.required and c.key not in keys)

    @property
    def keys(self) -> frozenset[str]:
        """The column keys this file holds (``child.name``, ``guardian.phone``...)."""
        return frozenset(column.key for column in self.columns.values())

    def header_of(self, key: str) -> str:
        """The header as written for the column ``key``."""
        for header, column in self.columns.items():
            if column.key == key:
                return header
        raise KeyError(key)

    def rows(self) -> Iterator[SheetRow]:
        """The data rows below the header, fully empty rows skipped, read from the file anew."""
        named = [(index, header) for index, header in enumerate(self.headers) if header]
        if self.format == "csv":  # CSV cells are text already: no normalising, the hot path
            for number, values in _csv_rows(self):
                if number > self.header_row and any(v.strip() for v in values):
                    width = len(values)
                    cells = {h: values[i] if i < width else None for i, h in named}
                    yield SheetRow(number, cells)
            return
        for number, values in _xlsx_rows(self):
            if number <= self.header_row:
                continue
            width = len(values)
            cells = {h: normalise(values[i]) if i < width else None for i, h in named}
            if any(not _is_empty(value) for value in cells.values()):
                yield SheetRow(number, cells)


def open_roster(path: Path) -> RosterFile:
    """Open ``path`` and check its headers; raise :class:`RosterFileError` naming the problem."""
    path = Path(path)
    if not path.is_file():
        raise RosterFileError(Label(f"找不到文件 {path}", f"file not found: {path}"))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheet = _pick_sheet(path)
        probe = RosterFile(path, "xlsx", (), {}, 0, sheet=sheet)
        with closing(_xlsx_rows(probe)) as rows:
            number, headers = _header(probe, rows)
        return _checked(RosterFile(path, "xlsx", headers, {}, number, sheet=sheet))
    if suffix in (".csv", ".txt"):
        encoding = detect_encoding(path)
        delimiter = _delimiter(path, encoding)
        probe = RosterFile(path, "csv", (), {}, 0, encoding=encoding, delimiter=delimiter)
        with closing(_csv_rows(probe)) as rows:
            number, headers = _header(probe, rows)
        return _checked(
            RosterFile(path, "csv", headers, {}, number, encoding=encoding, delimiter=delimiter)
        )
    if suffix == ".xls":
        raise RosterFileError(
            Label(
                f"{path.name} 是旧版 .xls 文件：请在 Excel 中另存为 .xlsx 或 .csv",
                f"{path.name} is an old .xls file: save it as .xlsx or .csv in Excel",
            )
        )
    raise RosterFileError(
        Label(
            f"{path.name}：只能导入 .xlsx 或 .csv 文件",
            f"{path.name}: only .xlsx and .csv files can be imported",
        )
    )


def normalise(value: Any) -> Any:
    """A cell as the checks take it: whole numbers as digits, text and dates unchanged."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            if abs(value) >= 10**EXCEL_DIGITS:
                return LostDigits(value)
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value
    return str(value)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(probe: RosterFile, rows: Iterator[tuple[int, tuple[Any, ...]]]) -> tuple[int, tuple]:
    """The header row: its number and its cells as text with whitespace collapsed.

    That is the first non-empty row naming a known column, so a title above the table
    (某某小学留守儿童名册) is passed over; if none of the first rows names one, the first non-empty
    row, whose unknown headers are then reported.
    """
    first: tuple[int, tuple[str, ...]] | None = None
    for number, values in islice(rows, HEADER_SEARCH_ROWS):
        if all(_is_empty(normalise(value)) for value in values):
            continue
        headers = tuple("" if v is None else " ".join(str(v).split()) for v in values)
        while headers and not headers[-1]:
            headers = headers[:-1]
        if any(column_for(h) is not None for h in headers if h):
            return number, headers
        first = first or (number, headers)
    if first is not None:
        return first
    raise RosterFileError(
        Label(f"{probe.path.name} 是空的：没有标题行", f"{probe.path.name} is empty: no header row")
    )


def _checked(roster: RosterFile) -> RosterFile:
    """``roster`` with its columns, or an error naming unknown, repeated or missing headers."""
    name = roster.path.name
    columns: dict[str, Column] = {}
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for header in roster.headers:
        if not header or header.casefold() in _problems_headers():
            continue
        column = column_for(header)
        if column is None:
            unknown.append(header)
        elif column.key in seen:
            raise RosterFileError(
                Label(
                    f"{name}：「{seen[column.key]}」与「{header}」是同一列，只能保留一个",
                    f"{name}: '{seen[column.key]}' and '{header}' are the same column; keep one",
                )
            )
        else:
            seen[column.key] = header
            columns[header] = column
    if unknown:
        names_zh, names_en = "」「".join(unknown), "', '".join(unknown)
        known_zh = "、".join(c.header.zh for c in CHILD_COLUMNS)
        known_en = ", ".join(c.header.en for c in CHILD_COLUMNS)
        raise RosterFileError(
            Label(
                f"{name}：未知的列「{names_zh}」。可用的列：{known_zh}",
                f"{name}: unknown column(s) '{names_en}'. Known columns: {known_en}",
            )
        )
    missing = [c for c in CHILD_COLUMNS if c.required and c.key not in seen]
    if IDENTITY not in seen:  # without student numbers no row can be matched to a record
        missing_zh = "」「".join(c.header.zh for c in missing)
        missing_en = "', '".join(c.header.en for c in missing)
        raise RosterFileError(
            Label(
                f"{name}：缺少必填列「{missing_zh}」",
                f"{name}: missing required column(s) '{missing_en}'",
            )
        )
    return RosterFile(
        roster.path,
        roster.format,
        roster.headers,
        columns,
        roster.header_row,
        encoding=roster.encoding,
        delimiter=roster.delimiter,
        sheet=roster.sheet,
    )


def _problems_headers() -> set[str]:
    return {
        PROBLEMS_HEADER.zh,
        PROBLEMS_HEADER.en.casefold(),
        f"{PROBLEMS_HEADER.zh} / {PROBLEMS_HEADER.en}".casefold(),
    }


# --- xlsx ----------------------------------------------------------------------------------


def _load_workbook(path: Path) -> Any:
    from openpyxl import load_workbook  # imported here: only an xlsx file needs it

    try:
        # data_only: a formula cell gives the value Excel last computed, not "=A1".
        return load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise RosterFileError(
            Label(
                f"{path.name} 不是有效的 .xlsx 文件（可能已损坏，或被加密）",
                f"{path.name} is not a valid .xlsx file (damaged, or password-protected?)",
            )
        ) from None


def _pick_sheet(path: Path) -> str:
    """The sheet named 留守儿童 (or "Children"), otherwise the first."""
    workbook = _load_workbook(path)
    try:
        names = list(workbook.sheetnames)
    finally:
        workbook.close()
    for wanted in SHEET_NAMES:
        for name in names:
            if name.strip().casefold() == wanted:
                return name
    return names[0]


def _xlsx_rows(roster: RosterFile) -> Iterator[tuple[int, tuple[Any, ...]]]:
    workbook = _load_workbook(roster.path)
    try:
        sheet = workbook[roster.sheet]
        # Some programs write a wrong <dimension>; ignore it and read every row there is.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


# --- csv -----------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """The first of :data:`CSV_ENCODINGS` (UTF-16 when the file starts with its BOM) that
    decodes the whole file strictly, read in blocks so a large file is never held at once."""
    with path.open("rb") as file:
        start = file.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = CSV_ENCODINGS
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with path.open("rb") as file:
                while block := file.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise RosterFileError(
        Label(
            f"无法识别 {path.name} 的编码：请在 Excel 中另存为“CSV UTF-8”或 .xlsx",
            f"cannot decode {path.name} (tried UTF-8 and GB18030): save it as 'CSV UTF-8' or .xlsx",
        )
    )


def _delimiter(path: Path, encoding: str) -> str:
    """A comma, or a tab for Excel's "Unicode text" export: whichever the first line holds."""
    with path.open(encoding=encoding, newline="") as file:
        first = file.readline()
    return "\t" if first.count("\t") > first.count(",") else ","


def _csv_rows(roster: RosterFile) -> Iterator[tuple[int, tuple[Any, ...]]]:
    assert roster.encoding is not None
    with roster.path.open(encoding=roster.encoding, newline="") as file:
        reader = csv.reader(file, delimiter=roster.delimiter)
        try:
            # A CSV record is one spreadsheet row, even when a quoted cell spans lines.
            for number, values in enumerate(reader, start=1):
                yield number, tuple(values)
        except csv.Error as error:
            raise RosterFileError(
                Label(
                    f"{roster.path.name} 第 {reader.line_num} 行不是有效的 CSV：{error}",
                    f"{roster.path.name} line {reader.line_num} is not valid CSV: {error}",
                )
            ) from None
