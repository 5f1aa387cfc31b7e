"""An old .xls or a WPS/LibreOffice .ods workbook, read through python-calamine.

calamine (Rust) spreads a whole sheet out in memory when it is opened, every cell from the first
to the last the file places; the ``[limits]`` bound that before it is opened: an .xls by where
its cells are (:mod:`~guanai.core.roster.xls_scan`), an .ods by its zip, checked as an .xlsx's
is, and by its repeated rows and cells (:mod:`~guanai.core.roster.ods_scan`). Rows are then
bounded like any other's by the reader. An empty cell comes as None, as openpyxl gives it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guanai.core.i18n import Label
from guanai.core.roster.file_errors import RosterFileError
from guanai.core.roster.xlsx_source import Workbook, opened


def _workbook(source: Workbook, name: str) -> Any:
    from python_calamine import CalamineWorkbook  # imported here: only these formats need it

    try:
        if isinstance(source, Path):
            return CalamineWorkbook.from_path(str(source))
        with opened(source) as file:
            return CalamineWorkbook.from_filelike(file)
    except Exception:
        raise _not_readable(name) from None


def _not_readable(name: str) -> RosterFileError:
    suffix = Path(name).suffix.lower()
    return RosterFileError(
        Label(
            f"{name} 不是有效的 {suffix} 文件（可能已损坏，或被加密）",
            f"{name} is not a valid {suffix} file (damaged, or password-protected?)",
        )
    )


def calamine_sheets(source: Workbook, name: str) -> tuple[str, ...]:
    """The names of the workbook's sheets, in order."""
    workbook = _workbook(source, name)
    try:
        return tuple(workbook.sheet_names)
    finally:
        workbook.close()


def calamine_rows(source: Workbook, sheet: str, name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Each row of ``sheet`` with its 1-based number; cells in their columns (A is the first)."""
    workbook = _workbook(source, name)
    try:
        try:
            worksheet = workbook.get_sheet_by_name(sheet)
        except Exception:
            raise _not_readable(name) from None
        lead = (None,) * worksheet.start[1] if worksheet.start else ()
        for number, values in enumerate(worksheet.iter_rows(), start=1):
            yield number, lead + tuple(None if value == "" else value for value in values)
    finally:
        workbook.close()
