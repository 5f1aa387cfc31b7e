"""What an old .xls sheet would cost once python-calamine spreads it out.

calamine holds a sheet whole, every cell from the first to the last that the file places, so a
5 KB .xls with one cell in A1 and one in IV65536 asks for 16 million cells (a gigabyte). Before
calamine opens it, :func:`check_xls` reads where the cells of each sheet are (the row and
column every cell record of the BIFF workbook stream starts with) and refuses a sheet whose
cells span more than ``rows`` rows or ``columns`` columns, or more memory than ``unpacked_mb``
once spread out (:data:`~guanai.core.roster.ods_scan.CELL_BYTES` a cell), naming the limit.
"""

from __future__ import annotations

import struct

from guanai.core.config import LimitSettings
from guanai.core.i18n import Label
from guanai.core.limits import over_limit
from guanai.core.roster.file_errors import RosterFileError
from guanai.core.roster.ods_scan import CELL_BYTES
from guanai.core.roster.xlsx_source import Workbook, opened

_BOF, _EOF = 0x0809, 0x000A
_CELLS = frozenset({0x0006, 0x00BD, 0x00BE, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
"""FORMULA, MULRK, MULBLANK, RSTRING, LABELSST, BLANK, NUMBER, LABEL, BOOLERR, RK: each starts
with its row and column (MULRK and MULBLANK end with their last column)."""
_SPREAD = (0x00BD, 0x00BE)
_HEADER = struct.Struct("<HH")


def check_xls(source: Workbook, name: str, limits: LimitSettings) -> None:
    """Refuse an .xls whose sheets would spread out past the limits (see the module)."""
    import olefile  # imported here: only an .xls needs it

    try:
        with opened(source) as file, olefile.OleFileIO(file) as ole:
            stream = "Workbook" if ole.exists("Workbook") else "Book"
            data = ole.openstream(stream).read()
    except (OSError, ValueError, struct.error):
        raise _not_an_xls(name) from None
    span: list[int] | None = None  # first row, last row, first column, last column
    at = 0
    while at + _HEADER.size <= len(data):
        kind, size = _HEADER.unpack_from(data, at)
        body = data[at + _HEADER.size : at + _HEADER.size + size]
        at += _HEADER.size + size
        if kind == _BOF:
            span = None
        elif kind == _EOF and span is not None:
            _check(span, name, limits)
            span = None
        elif kind in _CELLS and len(body) >= 4:
            row, column = _HEADER.unpack_from(body)
            last = _HEADER.unpack_from(body, len(body) - 4)[1] if kind in _SPREAD else column
            if span is None:
                span = [row, row, column, last]
            else:
                span = [
                    min(span[0], row),
                    max(span[1], row),
                    min(span[2], column),
                    max(span[3], last),
                ]
    if span is not None:
        _check(span, name, limits)


def _check(span: list[int], name: str, limits: LimitSettings) -> None:
    rows, columns = span[1] + 1, span[3] + 1  # numbered from the sheet's first, as the reader does
    if rows > limits.rows:
        what = Label(f"{name} 的行数太多", f"{name} has too many rows")
        raise RosterFileError(over_limit(what, "rows", limits.rows))
    if columns > limits.columns:
        what = Label(f"{name} 有一行单元格太多", f"{name} has a row of too many cells")
        raise RosterFileError(over_limit(what, "columns", limits.columns))
    if (span[1] - span[0] + 1) * (span[3] - span[2] + 1) * CELL_BYTES > limits.unpacked_mb << 20:
        what = Label(f"{name} 展开后太大", f"{name} is too large once spread out")
        raise RosterFileError(over_limit(what, "unpacked_mb", limits.unpacked_mb))


def _not_an_xls(name: str) -> RosterFileError:
    return RosterFileError(
        Label(
            f"{name} 不是有效的 .xls 文件（可能已损坏，或被加密）",
            f"{name} is not a valid .xls file (damaged, or password-protected?)",
        )
    )
