"""Writing spreadsheet files (.xlsx and CSV): streamed sheets, cells that never run, privacy.

Every spreadsheet guanai writes goes through here, so these guarantees hold for all of them:

- memory stays bounded: sheets are openpyxl write-only sheets, streamed row by row, and a sheet
  that reaches Excel's row limit continues on a new sheet ("谈心记录(2)");
- a value is only ever data. Text that starts with a character spreadsheets read as the start of
  a formula (:data:`FORMULA_START`: ``= + - @``, tab, carriage return) is *formula-like*. In an
  .xlsx it is a text cell marked as Excel marks text typed behind an apostrophe (quotePrefix),
  so neither opening the file nor editing the cell turns it into a formula, and the value read
  back is the text itself. A CSV has no cell types: there it is written behind an apostrophe
  (:data:`TEXT_MARK`), which the importer drops again (:func:`as_typed`), so a file guanai wrote
  imports as the values it holds. Characters XML cannot hold are dropped (openpyxl's own error
  would quote the value, which may be private);
- the file appears whole or not at all, readable only by its owner (0600) from its first byte,
  also when it replaces an existing file; with a password an .xlsx is encrypted as Excel and
  WPS encrypt ("ECMA-376 agile", AES-256), so that opening it asks for the password. The
  unencrypted workbook exists only as a private temporary file during the write and is deleted
  afterwards, also on failure.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msoffcrypto.exceptions
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label

MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header row included
PERCENT = "0.0%"
_BOLD = Font(bold=True)


def new_workbook() -> Workbook:
    """An empty streamed (write-only) workbook."""
    return Workbook(write_only=True)


FORMULA_START = frozenset("=+-@\t\r")
"""First characters that make Excel, WPS, LibreOffice or Google Sheets read text as a formula
(``=HYPERLINK(…)``, or ``+cmd|' /C calc'!A0`` in a CSV): text starting with one is never
written as it came."""
TEXT_MARK = "'"
"""Excel's "this is text" mark: typed before ``=``, it keeps the cell text."""


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula if it were written as it is."""
    return text[:1] in FORMULA_START


def as_typed(value: Any) -> Any:
    """A cell's value as the user meant it: a :data:`TEXT_MARK` before a formula-like text is
    the mark, not part of the text (Excel reads it so), so a CSV written by :class:`CsvSheet`
    reads back as the values it was given; any other value is returned as it is."""
    if isinstance(value, str) and value[:1] == TEXT_MARK and formula_like(value[1:]):
        return value[1:]
    return value


def csv_text(value: Any) -> str:
    """``value`` as the text of a CSV cell that holds data: formula-like text behind the mark
    (a number, negative or not, is written as it is: spreadsheets read it as a number)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return TEXT_MARK + value if formula_like(value) else value
    return str(value)


def data_cell(
    sheet: WriteOnlyWorksheet,
    value: Any,
    *,
    number_format: str | None = None,
    font: Font | None = None,
) -> Any:
    """``value`` as an .xlsx cell that holds data: formula-like text (and text such as
    ``#N/A``) is a text cell marked as text; a plain value stays plain, which streams fastest."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        guarded = formula_like(value) or value in ERROR_CODES
    else:
        guarded = False
    if value is None or not (guarded or number_format or font):
        return value
    cell: Cell = WriteOnlyCell(sheet, value)
    if guarded:
        cell.data_type = "s"
        cell.quotePrefix = True
    if number_format is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


class Sheet:
    """A streamed sheet with a bold, frozen header row that continues on a new sheet when full.

    ``formats`` gives a number format by column position (e.g. :data:`PERCENT` for rates).
    """

    def __init__(
        self,
        book: Workbook,
        title: str,
        headers: Sequence[str],
        *,
        formats: dict[int, str] | None = None,
        max_rows: int = MAX_ROWS,
    ) -> None:
        self.book = book
        self.title = title
        self.headers = list(headers)
        self.formats = formats or {}
        self.max_rows = max_rows
        self.rows = 0  # data rows written, over all parts
        self.parts = 0
        self._sheet = self._start()
        self._in_part = 0

    def _start(self) -> WriteOnlyWorksheet:
        self.parts += 1
        title = self.title if self.parts == 1 else f"{self.title}({self.parts})"
        sheet: WriteOnlyWorksheet = self.book.create_sheet(title)
        for index, header in enumerate(self.headers, start=1):
            width = min(40, max(10, 2 * len(header) + 4))
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([data_cell(sheet, header, font=_BOLD) for header in self.headers])
        return sheet

    def append(
        self,
        values: Sequence[Any],
        formats: dict[int, str] | None = None,
        *,
        font: Font | None = None,
    ) -> None:
        """One row; ``formats`` replaces the sheet's number formats for this row."""
        if self._in_part >= self.max_rows - 1:
            self._sheet = self._start()
            self._in_part = 0
        formats = self.formats if formats is None else formats
        sheet = self._sheet
        sheet.append(
            [
                data_cell(sheet, value, number_format=formats.get(index), font=font)
                for index, value in enumerate(values)
            ]
        )
        self._in_part += 1
        self.rows += 1

    def blank(self) -> None:
        """An empty row: a gap between the sections of a summary."""
        self.append([])

    def heading(self, *values: str) -> None:
        """A bold row inside the sheet: the header of a section."""
        self.append(values, font=_BOLD)


class CsvSheet:
    """A CSV file's rows, each cell written by :func:`csv_text` (see :func:`csv_file`)."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def append(self, values: Sequence[Any]) -> None:
        self._writer.writerow([csv_text(value) for value in values])


@contextmanager
def csv_file(path: Path) -> Iterator[CsvSheet]:
    """A CSV file at ``path``, in UTF-8 with a BOM (Excel then opens the Chinese unharmed),
    with the guarantees of :func:`save`: private from its first byte, and whole or absent."""
    with (
        _staged(Path(path)) as staged,
        staged.open("w", encoding="utf-8-sig", newline="") as file,
    ):
        yield CsvSheet(csv.writer(file))


@contextmanager
def _private_temporary(directory: Path | None, suffix: str) -> Iterator[Path]:
    """A new file only its owner may read (mkstemp makes it 0600), removed on the way out."""
    handle, name = tempfile.mkstemp(suffix=suffix, prefix=".guanai-", dir=directory)
    os.close(handle)
    path = Path(name)
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextmanager
def _staged(path: Path) -> Iterator[Path]:
    """A private temporary file beside ``path`` that replaces ``path`` in one rename when the
    block succeeds (an existing file, whatever its mode, is replaced by a 0600 one) and is
    removed when it fails, so a failed write leaves no half file."""
    with _private_temporary(path.parent, path.suffix) as staged:
        yield staged
        os.replace(staged, path)


def save(book: Workbook, path: Path, *, password: str | None = None) -> None:
    """Write ``book`` to ``path`` atomically and privately; with ``password``, encrypted."""
    with _staged(Path(path)) as staged:
        if password is None:
            book.save(staged)
        else:
            # The plain workbook goes to the system's temporary directory, not beside the
            # target: a synced or shared folder must never see it, even for a moment.
            with _private_temporary(None, ".xlsx") as plain:
                book.save(plain)
                encrypt(plain, staged, password)


class PasswordError(GuanaiError):
    """A protected workbook could not be opened with the password given."""


@contextmanager
def decrypted(path: Path, password: str) -> Iterator[Path]:
    """A private plain copy of the encrypted workbook ``path``, deleted on the way out.

    For reading back a file :func:`save` protected (an import of an encrypted export).
    """
    with _private_temporary(None, ".xlsx") as plain:
        try:
            with Path(path).open("rb") as source, plain.open("wb") as target:
                office = OOXMLFile(source)
                office.load_key(password=password, verify_password=True)
                office.decrypt(target)
        except (
            msoffcrypto.exceptions.FileFormatError,
            msoffcrypto.exceptions.DecryptionError,
            msoffcrypto.exceptions.InvalidKeyError,
        ):
            raise PasswordError(
                Label(
                    f"无法用所给密码打开 {Path(path).name}（密码错误或文件未加密）",
                    f"cannot open {Path(path).name} with that password (wrong password, or the "
                    "file is not encrypted)",
                )
            ) from None
        yield plain


def encrypt(plain: Path, encrypted: Path, password: str) -> None:
    """Encrypt the .xlsx ``plain`` into ``encrypted`` as Excel does (ECMA-376 agile)."""
    with plain.open("rb") as source, encrypted.open("wb") as target:
        OOXMLFile(source).encrypt(password, target)
