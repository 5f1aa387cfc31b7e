"""An .xlsx roster: its zip checked against the limits before openpyxl opens it, then its rows.

The same zip checks guard an .ods (also a zip of XML parts) before python-calamine opens it.
A workbook is a path, or the bytes of one decrypted into memory.

An .xlsx is a zip of XML parts, and openpyxl keeps some of them whole in memory (the shared
strings, every distinct text of the workbook, are loaded when the workbook is opened). So
before openpyxl sees the file, :func:`check_xlsx` reads the zip's directory as its end record
declares it, the parts' declared sizes, and then streams every XML part once, in blocks:

- the directory may list at most ``xlsx_parts`` parts, and their sizes add up to at most
  ``unpacked_mb``. :mod:`zipfile` never unpacks a part past the size the directory declares
  (a part whose data goes on fails its CRC check), so a lying directory gains nothing;
- no text between two tags may be longer than a cell of ``cell_chars`` characters could be
  written in (openpyxl writes 张 as ``&#24352;``; a shared string of 2 GB unpacked from 2 MB is
  refused after its first block); the cell's own length is checked again as it is read;
- no part may declare a DTD (``<!DOCTYPE``): spreadsheets never do, and entity expansion
  ("billion laughs") needs one;
- no part may hold more than ``rows`` rows, nor a row more than ``columns`` cells: openpyxl
  keeps each row it has read (and each cell of the row it is in) until the sheet ends, in every
  sheet when it opens the workbook, to find its size if the sheet does not say it (5 million
  empty rows in 500 KB took 460 MB and 16 s before a single row was read).

Rows are then streamed by openpyxl in read-only mode; the reader bounds their number, width
and cells as it does a CSV's.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from guanai.core.config import LimitSettings
from guanai.core.i18n import Label
from guanai.core.limits import over_limit
from guanai.core.roster.file_errors import RosterFileError
from guanai.core.roster.ods_scan import OdsScan

Workbook = Path | bytes  # a file, or a decrypted one in memory
MIB = 1 << 20
BLOCK = 1 << 20  # bytes of a part read at a time
BYTES_PER_CHAR = 10  # the most one character takes in XML as writers write it: &#1114111;
TAG_BYTES = 256  # room for the tag before a text, <t xml:space="preserve">, in the same run
DIRECTORY_ENTRY = 1024  # bytes a part's directory entry may take on average (most take ~80)
_END = struct.Struct("<4s4H2LH")  # the zip's end of central directory record
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")
_BROKEN = (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError)
"""What zipfile raises on a damaged, truncated or encrypted archive."""


def opened(source: Workbook) -> AbstractContextManager[IO[bytes]]:
    """The workbook as a binary file, from its path or its bytes."""
    return source.open("rb") if isinstance(source, Path) else io.BytesIO(source)


def check_zip(source: Workbook, name: str, limits: LimitSettings, suffix: str = ".xlsx") -> None:
    """Raise :class:`RosterFileError` if ``source`` is not a zip within the limits (see above);
    ``name`` and ``suffix`` (.xlsx or .ods) are what the message calls the file."""
    parts, directory = _directory(source, name, suffix)
    if parts > limits.xlsx_parts or directory > limits.xlsx_parts * DIRECTORY_ENTRY:
        raise _too_many_parts(name, limits)
    try:
        with opened(source) as file, zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if len(members) > limits.xlsx_parts:
                raise _too_many_parts(name, limits)
            if sum(member.file_size for member in members) > limits.unpacked_mb * MIB:
                raise RosterFileError(
                    over_limit(
                        Label(f"{name} 解压后太大", f"{name} unpacks to too much"),
                        "unpacked_mb",
                        limits.unpacked_mb,
                    )
                )
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")):
                    _scan(archive, member, name, limits, suffix)
    except _BROKEN:
        raise not_an_xlsx(name, suffix) from None


def not_an_xlsx(name: str, suffix: str = ".xlsx") -> RosterFileError:
    return RosterFileError(
        Label(
            f"{name} 不是有效的 {suffix} 文件（可能已损坏，或被加密）",
            f"{name} is not a valid {suffix} file (damaged, or password-protected?)",
        )
    )


def _too_many_parts(name: str, limits: LimitSettings) -> RosterFileError:
    return RosterFileError(
        over_limit(
            Label(f"{name} 中的部件太多", f"{name} holds too many parts"),
            "xlsx_parts",
            limits.xlsx_parts,
        )
    )


def _directory(source: Workbook, name: str, suffix: str) -> tuple[int, int]:
    """The number of parts and the size of the zip's directory, as its end record says: read as
    :mod:`zipfile` reads them (the record at the very end, else the last one within a comment's
    reach, and the ZIP64 record just before it if there is one)."""
    with opened(source) as file:
        size = file.seek(0, 2)
        start = max(0, size - _END.size - 0xFFFF - _END64_LOCATOR.size - _END64.size)
        file.seek(start)
        tail = file.read()
    at = len(tail) - _END.size
    if at < 0 or tail[at : at + 4] != b"PK\x05\x06" or tail[-2:] != b"\0\0":
        at = tail.rfind(b"PK\x05\x06", 0, len(tail) - _END.size + 1)
    if at < 0:
        raise not_an_xlsx(name, suffix)
    *_, parts, directory, _, _ = _END.unpack_from(tail, at)
    locator = at - _END64_LOCATOR.size
    if locator >= _END64.size and tail[locator : locator + 4] == b"PK\x06\x07":
        record = _END64.unpack_from(tail, locator - _END64.size)
        if record[0] == b"PK\x06\x06":
            parts, directory = record[7], record[8]
    return parts, directory


def _scan(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    name: str,
    limits: LimitSettings,
    suffix: str,
) -> None:
    """Stream one XML part, refusing what the module's docstring lists (and, for an .ods's
    sheets, what :mod:`~guanai.core.roster.ods_scan` does). Each block is cut before its last
    ``<`` and the rest carried to the next, so no tag is split between two."""
    scan = _PartScan(f"{name}: {member.filename}", f"{name} 的 {member.filename}", limits)
    sheets = (
        OdsScan(scan.en, scan.zh, limits)
        if suffix == ".ods" and member.filename == "content.xml"
        else None
    )
    carry = b""
    with archive.open(member) as part:
        while block := part.read(BLOCK):
            data = carry + block
            cut = max(data.rfind(b"<"), 0)
            scan.piece(data[:cut])
            if sheets is not None:
                sheets.piece(data[:cut])
            carry = data[cut:]
            if len(carry) > scan.longest:
                raise scan.too_long()
    scan.piece(carry)
    if sheets is not None:
        sheets.piece(carry)


_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?(?:table-)?row\b")  # .xlsx <row>, .ods <table-row>
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?(?:c|(?:covered-)?table-cell)\b")


class _PartScan:
    """What one XML part held so far: its rows, the cells of its current row."""

    def __init__(self, en: str, zh: str, limits: LimitSettings) -> None:
        self.en, self.zh, self.limits = en, zh, limits
        self.longest = BYTES_PER_CHAR * limits.cell_chars + TAG_BYTES
        self.rows = self.cells = 0

    def piece(self, data: bytes) -> None:
        """Take the next piece of the part, which splits no tag."""
        if b"<!DOCTYPE" in data:
            raise RosterFileError(
                Label(
                    f"{self.zh} 含有 DTD（<!DOCTYPE>），电子表格不会有：请在 Excel 或 WPS 中重新保存",
                    f"{self.en} declares a DTD (<!DOCTYPE>), which no spreadsheet does: save it"
                    " again in Excel or WPS",
                )
            )
        if max(map(len, data.split(b"<"))) > self.longest:
            raise self.too_long()
        # openpyxl keeps every row of a sheet, and every cell of the row it is in, until the
        # sheet (the row) ends, even where it only looks for the sheet's size: count them.
        first, *rows = _ROW.split(data)
        self.cells += len(_CELL.findall(first))
        for row in rows:
            self.rows += 1
            self.cells = len(_CELL.findall(row))
            if self.cells > self.limits.columns:
                break
        if self.rows > self.limits.rows:
            what = Label(f"{self.zh} 的行数太多", f"{self.en} has too many rows")
            raise RosterFileError(over_limit(what, "rows", self.limits.rows))
        if self.cells > self.limits.columns:
            what = Label(f"{self.zh} 有一行单元格太多", f"{self.en} has a row of too many cells")
            raise RosterFileError(over_limit(what, "columns", self.limits.columns))

    def too_long(self) -> RosterFileError:
        what = Label(
            f"{self.zh} 中有一段文字比单元格所能容纳的更长",
            f"{self.en} holds a text longer than a cell may be",
        )
        return RosterFileError(over_limit(what, "cell_chars", self.limits.cell_chars))


def _load_workbook(source: Workbook, name: str) -> Any:
    from openpyxl import load_workbook  # imported here: only an xlsx file needs it

    try:
        # data_only: a formula cell gives the value Excel last computed, not "=A1".
        return load_workbook(opened(source), read_only=True, data_only=True)
    except Exception:
        raise not_an_xlsx(name) from None


def xlsx_sheets(source: Workbook, name: str) -> tuple[str, ...]:
    """The names of the workbook's sheets, in order."""
    workbook = _load_workbook(source, name)
    try:
        return tuple(workbook.sheetnames)
    finally:
        workbook.close()


def xlsx_rows(source: Workbook, sheet: str, name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Each row of ``sheet`` with its number, as openpyxl streams it (a missing row is empty)."""
    workbook = _load_workbook(source, name)
    try:
        worksheet = workbook[sheet]
        # Some programs write a wrong <dimension>; ignore it and read every row there is.
        worksheet.reset_dimensions()
        try:
            yield from enumerate(worksheet.iter_rows(values_only=True), start=1)
        except (*_BROKEN, ValueError, KeyError):  # a cell openpyxl cannot place or read
            raise not_an_xlsx(name) from None
    finally:
        workbook.close()
