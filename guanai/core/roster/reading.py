"""Reading a roster file (.xlsx or .csv) as rows of ``{header: raw cell}``, one at a time.

A 260,000-row roster must never sit in memory at once: :meth:`RosterFile.rows` is a generator
that reads the file anew on every call (openpyxl in ``read_only`` mode, CSV through the
:mod:`csv` module), so a caller can read it as often as it needs.

Any file, hostile ones too, costs bounded work: the ``[limits]`` settings bound its size (checked
before it is read), an .xlsx's zip (checked before openpyxl opens it, see
:mod:`~guanai.core.roster.xlsx_source`), and the rows, cells per row and characters per cell of
every row read, header rows included, each refused with a message naming its limit. Every step
is linear in the file's size.

Cells arrive as Excel or the CSV holds them, with two normalisations: whole numbers become their
digits (``13800138000.0`` → ``"13800138000"``, as Excel stores phones and student numbers typed
without a leading apostrophe), and numbers too long for Excel to keep every digit become
:class:`LostDigits`, which the checks report instead of guessing at the missing digits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any

from guanai.core.config import LimitSettings
from guanai.core.i18n import Label
from guanai.core.limits import over_limit
from guanai.core.roster.columns import CHILD_COLUMNS, Column, column_for
from guanai.core.roster.csv_source import csv_rows, detect_delimiter, detect_encoding
from guanai.core.roster.file_errors import RosterFileError
from guanai.core.roster.xlsx_source import MIB, check_xlsx, pick_sheet, xlsx_rows

PROBLEMS_HEADER = Label("问题", "Problems")
"""The column a rejects file adds; ignored on import, so a fixed rejects file imports as is."""
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number
IDENTITY = "child.student_no"  # the column that matches a row to a stored record
HEADER_SEARCH_ROWS = 20  # rows searched for the header row


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
    limits: LimitSettings = field(default_factory=LimitSettings)
    stamp: tuple[int, int] = (0, 0)  # size and mtime when opened: rows() refuses a changed file

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
        if file_stamp(self.path) != self.stamp:
            raise changed_error(self.path)
        named = [(index, header) for index, header in enumerate(self.headers) if header]
        if self.format == "csv":  # CSV cells are text already: no normalising, the hot path
            for number, values in _source(self):
                if number > self.header_row and any(v.strip() for v in values):
                    width = len(values)
                    cells = {h: values[i] if i < width else None for i, h in named}
                    yield SheetRow(number, cells)
            return
        for number, values in _source(self):
            if number <= self.header_row:
                continue
            width = len(values)
            cells = {h: normalise(values[i]) if i < width else None for i, h in named}
            if any(not _is_empty(value) for value in cells.values()):
                yield SheetRow(number, cells)


def open_roster(path: Path, limits: LimitSettings | None = None) -> RosterFile:
    """Open ``path`` and check its headers; raise :class:`RosterFileError` naming the problem.

    ``limits`` (default: the defaults of ``[limits]``) bound what the file may cost to read.
    """
    path = Path(path)
    limits = limits or LimitSettings()
    if not path.is_file():
        raise RosterFileError(Label(f"找不到文件 {path}", f"file not found: {path}"))
    stamp = file_stamp(path)
    if stamp[0] > limits.file_mb * MIB:
        raise RosterFileError(
            over_limit(
                Label(f"{path.name} 太大", f"{path.name} is too large"), "file_mb", limits.file_mb
            )
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(path, limits)
        probe = RosterFile(
            path, "xlsx", (), {}, 0, sheet=pick_sheet(path), limits=limits, stamp=stamp
        )
    elif suffix in (".csv", ".txt"):
        encoding = detect_encoding(path, limits)
        delimiter = detect_delimiter(path, encoding, limits)
        probe = RosterFile(
            path, "csv", (), {}, 0, encoding=encoding, delimiter=delimiter, limits=limits,
            stamp=stamp,
        )  # fmt: skip
    elif suffix == ".xls":
        raise RosterFileError(
            Label(
                f"{path.name} 是旧版 .xls 文件：请在 Excel 中另存为 .xlsx 或 .csv",
                f"{path.name} is an old .xls file: save it as .xlsx or .csv in Excel",
            )
        )
    else:
        raise RosterFileError(
            Label(
                f"{path.name}：只能导入 .xlsx 或 .csv 文件",
                f"{path.name}: only .xlsx and .csv files can be imported",
            )
        )
    with closing(_source(probe)) as rows:
        number, headers = _header(probe, rows)
    return _checked(replace(probe, headers=headers, header_row=number))


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
        headers = ["" if v is None else " ".join(str(v).split()) for v in values]
        end = len(headers)
        while end and not headers[end - 1]:  # trailing empty cells: no header
            end -= 1
        headers = tuple(headers[:end])
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
    return replace(roster, columns=columns)


def _problems_headers() -> set[str]:
    return {
        PROBLEMS_HEADER.zh,
        PROBLEMS_HEADER.en.casefold(),
        f"{PROBLEMS_HEADER.zh} / {PROBLEMS_HEADER.en}".casefold(),
    }


def file_stamp(path: Path) -> tuple[int, int]:
    """The file's size and modification time: what tells that it changed."""
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def changed_error(path: Path) -> RosterFileError:
    return RosterFileError(
        Label(
            f"{path.name} 在导入过程中被修改：请保存后重新导入",
            f"{path.name} changed while it was being imported: save it and import it again",
        )
    )


def _source(roster: RosterFile) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The file's rows as (number, cells), each refused when past a limit of ``[limits]``."""
    if roster.format == "csv":
        assert roster.encoding is not None
        rows = csv_rows(roster.path, roster.encoding, roster.delimiter, roster.limits)
    else:
        assert roster.sheet is not None
        rows = xlsx_rows(roster.path, roster.sheet)
    for number, values in rows:
        _check_row(roster, number, values)
        yield number, values


def _check_row(roster: RosterFile, number: int, values: tuple[Any, ...]) -> None:
    limits, name = roster.limits, roster.path.name
    if number > limits.rows:
        what = Label(f"{name} 的行数太多", f"{name} has too many rows")
        raise RosterFileError(over_limit(what, "rows", limits.rows))
    if len(values) > limits.columns:
        what = Label(
            f"{name} 第 {number} 行有 {len(values):,} 个单元格",
            f"{name} row {number} has {len(values):,} cells",
        )
        raise RosterFileError(over_limit(what, "columns", limits.columns))
    if roster.format == "csv":  # every cell is text: the quick way
        longest = max(map(len, values), default=0)
    else:
        longest = max((len(v) for v in values if isinstance(v, str)), default=0)
    if longest > limits.cell_chars:
        column = next(
            i for i, v in enumerate(values, 1) if isinstance(v, str) and len(v) == longest
        )
        what = Label(
            f"{name} 第 {number} 行第 {column} 列有 {longest:,} 个字符",
            f"{name} row {number}, column {column} holds {longest:,} characters",
        )
        raise RosterFileError(over_limit(what, "cell_chars", limits.cell_chars))
