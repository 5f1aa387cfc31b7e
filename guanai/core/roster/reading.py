"""Reading a sheet (.xlsx, .xls, .ods or .csv) as rows of ``{header: raw cell}``, one at a time.

How to read a sheet: describe it as a :class:`~guanai.core.roster.sheet_spec.SheetSpec` (the
roster's is :data:`~guanai.core.roster.sheet_spec.ROSTER_SHEET`), open it with
:func:`open_sheet` (:func:`workbook_sheets` lists the sheets a workbook has, to see which
are there), then iterate :meth:`RosterFile.rows` as often as needed and parse each cell with
its column (``RosterFile.columns[header]``, :func:`guanai.core.roster.validation.parse_cell`)::

    sheet = open_sheet(path, TEACHER_SHEET, limits=settings.limits, password=password)
    for warning in sheet.warnings: ...          # e.g. the 序号 column, ignored
    for row in sheet.rows(): ...                # SheetRow(number, {header: raw cell})

A 260,000-row roster must never sit in memory at once: :meth:`RosterFile.rows` is a generator
that reads the file anew on every call (openpyxl in ``read_only`` mode, CSV through the
:mod:`csv` module; .xls and .ods through python-calamine, which holds one sheet, bounded
before it is opened, see :mod:`~guanai.core.roster.calamine_source`), so a caller can read it
as often as it needs. An encrypted workbook is decrypted into memory, never
into a file.

Any file, hostile ones too, costs bounded work: the ``[limits]`` settings bound its size (checked
before it is read), an .xlsx's or .ods's zip (checked before it is opened, see
:mod:`~guanai.core.roster.xlsx_source`), and the rows, cells per row and characters per cell of
every row read, header rows included, each refused with a message naming its limit. Every step
is linear in the file's size. The header row is found as :mod:`~guanai.core.roster.headers`
says (a title above it, two-row headers, ignored columns).

Cells arrive as the file holds them, with two normalisations: whole numbers become their
digits (``13800138000.0`` → ``"13800138000"``, as Excel stores phones and student numbers typed
without a leading apostrophe), and numbers too long for Excel to keep every digit become
:class:`LostDigits`, which the checks report instead of guessing at the missing digits.
Full-width characters are read as ASCII by the columns' checks (:mod:`~guanai.core.roster.checks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from guanai.core.config import LimitSettings
from guanai.core.i18n import Label
from guanai.core.limits import over_limit
from guanai.core.roster.calamine_source import calamine_rows, calamine_sheets
from guanai.core.roster.columns import Column
from guanai.core.roster.csv_source import csv_rows, detect_delimiter, detect_encoding
from guanai.core.roster.encrypted import decrypted_content
from guanai.core.roster.file_errors import RosterFileError
from guanai.core.roster.headers import PROBLEMS_HEADER as PROBLEMS_HEADER
from guanai.core.roster.headers import checked_columns, find_header
from guanai.core.roster.sheet_spec import ROSTER_SHEET, SheetSpec
from guanai.core.roster.xls_scan import check_xls
from guanai.core.roster.xlsx_source import MIB, check_zip, xlsx_rows, xlsx_sheets

EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number
WORKBOOKS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods"}
TEXT_FILES = (".csv", ".txt")


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
    """An opened sheet: its headers checked, its rows to be read (as often as needed)."""

    path: Path
    format: str  # "xlsx", "xls", "ods" or "csv"
    spec: SheetSpec = ROSTER_SHEET
    headers: tuple[str, ...] = ()  # as read (two-row headers joined), in file order; empty: ""
    columns: dict[str, Column] = field(default_factory=dict)  # header -> its column
    header_row: int = 0  # the (last) row of the header
    warnings: tuple[Label, ...] = ()  # what was passed over, e.g. unknown columns ignored
    encoding: str | None = None  # CSV only
    delimiter: str = ","
    sheet: str | None = None  # workbooks only
    limits: LimitSettings = field(default_factory=LimitSettings)
    stamp: tuple[int, int] = (0, 0)  # size and mtime when opened: rows() refuses a changed file
    content: bytes | None = field(default=None, repr=False)  # a decrypted workbook, in memory

    @property
    def missing_required(self) -> tuple[Column, ...]:
        """Required columns the file leaves out: fine for rows updating a record already in the
        database (their stored values stay), an error for rows that would create one."""
        return self.spec.missing_required(self.keys)

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
        """The data rows below the header, read from the file anew. A row with nothing in any
        known column is skipped: empty, or only numbered in an ignored column (序号 filled
        down below the children, as offices prepare a sheet)."""
        if file_stamp(self.path) != self.stamp:
            raise changed_error(self.path)
        named = [(index, header) for index, header in enumerate(self.headers) if header]
        known = [index for index, header in named if header in self.columns]
        if self.format == "csv":  # CSV cells are text already: no normalising, the hot path
            for number, values in _source(self):
                width = len(values)
                if number > self.header_row and any(values[i].strip() for i in known if i < width):
                    cells = {h: values[i] if i < width else None for i, h in named}
                    yield SheetRow(number, cells)
            return
        for number, values in _source(self):
            if number <= self.header_row:
                continue
            width = len(values)
            cells = {h: normalise(values[i]) if i < width else None for i, h in named}
            if any(not _is_empty(cells[self.headers[i]]) for i in known if i < width):
                yield SheetRow(number, cells)


def open_sheet(
    path: Path,
    spec: SheetSpec,
    *,
    limits: LimitSettings | None = None,
    password: str | None = None,
    sheet: str | None = None,
) -> RosterFile:
    """Open the sheet ``spec`` describes in ``path`` and check its headers; raise
    :class:`RosterFileError` naming the problem.

    The sheet is ``sheet`` if given, else the first whose name is one of ``spec.sheet_names``,
    else the first sheet (a CSV is one sheet). ``limits`` (default: the defaults of
    ``[limits]``) bound what the file may cost to read; ``password`` opens an encrypted
    workbook (a missing or wrong one is refused, naming the file).
    """
    probe = _probe(Path(path), limits or LimitSettings(), password)
    if probe.format != "csv":
        names = _sheets(probe)
        chosen = sheet if sheet in names else _pick(spec, names)
        probe = replace(probe, sheet=chosen)
    with closing(_source(probe)) as rows:
        number, headers = find_header(spec, rows, probe.path.name)
    columns, warnings = checked_columns(spec, headers, probe.path.name)
    return replace(
        probe, spec=spec, headers=headers, header_row=number, columns=columns, warnings=warnings
    )


def open_roster(
    path: Path, limits: LimitSettings | None = None, *, password: str | None = None
) -> RosterFile:
    """The roster sheet of ``path``: :func:`open_sheet` with :data:`ROSTER_SHEET`."""
    return open_sheet(path, ROSTER_SHEET, limits=limits, password=password)


def workbook_sheets(
    path: Path, *, limits: LimitSettings | None = None, password: str | None = None
) -> tuple[str, ...]:
    """The names of the sheets of the workbook ``path``, in order; () for a CSV."""
    probe = _probe(Path(path), limits or LimitSettings(), password)
    return () if probe.format == "csv" else _sheets(probe)


def _probe(path: Path, limits: LimitSettings, password: str | None) -> RosterFile:
    """``path`` checked against the limits and its format known, before any sheet is read."""
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
    if suffix in TEXT_FILES:
        encoding = detect_encoding(path, limits)
        delimiter = detect_delimiter(path, encoding, limits)
        return RosterFile(
            path, "csv", encoding=encoding, delimiter=delimiter, limits=limits, stamp=stamp
        )
    if suffix not in WORKBOOKS:
        raise RosterFileError(
            Label(
                f"{path.name}：只能导入 .xlsx、.xls、.ods 或 .csv 文件",
                f"{path.name}: only .xlsx, .xls, .ods and .csv files can be imported",
            )
        )
    content = decrypted_content(path, password)
    format = WORKBOOKS[suffix]
    if format in ("xlsx", "ods"):
        check_zip(content if content is not None else path, path.name, limits, suffix)
    else:
        check_xls(content if content is not None else path, path.name, limits)
    return RosterFile(path, format, limits=limits, stamp=stamp, content=content)


def _sheets(probe: RosterFile) -> tuple[str, ...]:
    source = probe.content if probe.content is not None else probe.path
    if probe.format == "xlsx":
        return xlsx_sheets(source, probe.path.name)
    return calamine_sheets(source, probe.path.name)


def _pick(spec: SheetSpec, names: tuple[str, ...]) -> str:
    for wanted in spec.sheet_names:
        for name in names:
            if name.strip().casefold() == wanted.casefold():
                return name
    return names[0]


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
    source = roster.content if roster.content is not None else roster.path
    if roster.format == "csv":
        assert roster.encoding is not None
        rows = csv_rows(roster.path, roster.encoding, roster.delimiter, roster.limits)
    elif roster.format == "xlsx":
        assert roster.sheet is not None
        rows = xlsx_rows(source, roster.sheet, roster.path.name)
    else:
        assert roster.sheet is not None
        rows = calamine_rows(source, roster.sheet, roster.path.name)
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
