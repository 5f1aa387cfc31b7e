"""Writing .xlsx files: streamed sheets, cells Excel will never run, and password protection.

Every spreadsheet guanai writes goes through here, so three guarantees hold for all of them:

- memory stays bounded: sheets are openpyxl write-only sheets, streamed row by row, and a sheet
  that reaches Excel's row limit continues on a new sheet ("谈心记录(2)");
- a value is only ever data: text that starts with "=" is written as text, not as a formula,
  and characters XML cannot hold are dropped (openpyxl's own error would quote the value,
  which may be private);
- the file appears whole or not at all, readable only by its owner (0600), and with a
  password it is encrypted as Excel and WPS encrypt ("ECMA-376 agile", AES-256), so that
  opening it asks for the password. The unencrypted workbook exists only as a private
  temporary file during the write and is deleted afterwards, also on failure.
"""

from __future__ import annotations

import contextlib
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


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """``value`` as a cell that holds data: formula-looking text stays text."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not text.startswith("=") and text not in ERROR_CODES:
        return text
    cell: Cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
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
        header_cells = []
        for header in self.headers:
            cell = WriteOnlyCell(sheet, header)
            cell.font = _BOLD
            header_cells.append(cell)
        sheet.append(header_cells)
        return sheet

    def append(self, values: Sequence[Any], formats: dict[int, str] | None = None) -> None:
        """One row; ``formats`` replaces the sheet's number formats for this row."""
        if self._in_part >= self.max_rows - 1:
            self._sheet = self._start()
            self._in_part = 0
        formats = self.formats if formats is None else formats
        row = []
        for index, value in enumerate(values):
            number_format = formats.get(index)
            if number_format is not None and value is not None:
                cell = WriteOnlyCell(self._sheet, value)
                cell.number_format = number_format
                row.append(cell)
            else:
                row.append(_cell(self._sheet, value))
        self._sheet.append(row)
        self._in_part += 1
        self.rows += 1

    def blank(self) -> None:
        """An empty row: a gap between the sections of a summary."""
        self.append([])

    def heading(self, *values: str) -> None:
        """A bold row inside the sheet: the header of a section."""
        cells = []
        for value in values:
            cell = WriteOnlyCell(self._sheet, value)
            cell.font = _BOLD
            cells.append(cell)
        self.append(cells)


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


def save(book: Workbook, path: Path, *, password: str | None = None) -> None:
    """Write ``book`` to ``path`` atomically; with ``password``, encrypted.

    The finished file replaces ``path`` in one rename, so a failed write leaves no half file.
    """
    path = Path(path)
    target = path.parent if str(path.parent) else Path()
    with _private_temporary(target, ".xlsx") as staged:
        if password is None:
            book.save(staged)
        else:
            # The plain workbook goes to the system's temporary directory, not beside the
            # target: a synced or shared folder must never see it, even for a moment.
            with _private_temporary(None, ".xlsx") as plain:
                book.save(plain)
                encrypt(plain, staged, password)
        os.replace(staged, path)


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
