"""The rejects file: the rows an import left out, as they were, with what is wrong with each.

It has the input's format and headers plus a 问题 / Problems column, which the importer ignores,
so the user fixes the cells in place and imports the same file again. It carries the rows as
they were, ID numbers, phones and addresses included, so it is written as every spreadsheet
guanai writes (:mod:`guanai.core.workbook`): readable only by its owner from its first byte,
whole or not at all, and a cell that looks like a formula (``=HYPERLINK(…)``) stays text. A CSV
is written in UTF-8 with a BOM, which Excel opens without garbling the Chinese.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Protocol

from guanai.core.i18n import Label
from guanai.core.roster.reading import PROBLEMS_HEADER, LostDigits, RosterFile, SheetRow
from guanai.core.roster.validation import Problem
from guanai.core.workbook import CsvSheet, Sheet, as_typed, csv_file, new_workbook, save

SHEET = "留守儿童"


class RejectsSink(Protocol):
    def add(self, row: SheetRow, problems: list[Problem]) -> None: ...


def describe(problems: list[Problem]) -> str:
    """The problems of one row, in the current language, without the row number."""
    return str(
        Label(
            "；".join(
                f"「{p.column}」：{p.reason.zh}" if p.column else p.reason.zh for p in problems
            ),
            "; ".join(
                f"'{p.column}': {p.reason.en}" if p.column else p.reason.en for p in problems
            ),
        )
    )


@contextmanager
def rejects_file(roster: RosterFile, path: Path) -> Iterator[RejectsSink]:
    """A sink for rejected rows, written to ``path`` (.xlsx or CSV, by its suffix) on exit."""
    headers = [h for h in roster.headers if h]
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        book = new_workbook()
        sink = _XlsxSink(headers, Sheet(book, SHEET, [*headers, str(PROBLEMS_HEADER)]))
        yield sink
        save(book, path)
    else:
        with csv_file(path) as sheet:
            sheet.append([*headers, str(PROBLEMS_HEADER)])
            yield _CsvSink(headers, sheet)


class _XlsxSink:
    def __init__(self, headers: list[str], sheet: Sheet) -> None:
        self.headers = headers
        self.sheet = sheet

    def add(self, row: SheetRow, problems: list[Problem]) -> None:
        self.sheet.append(
            [*(_xlsx_cell(row.cells.get(h)) for h in self.headers), describe(problems)]
        )


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, LostDigits):
        return value.number  # as Excel had it: the user retypes it as text
    if isinstance(value, datetime) and value.time() == time():
        return value.date()
    return as_typed(value)  # a CSV's text mark dropped: the cell itself is marked as text


class _CsvSink:
    def __init__(self, headers: list[str], sheet: CsvSheet) -> None:
        self.headers = headers
        self.sheet = sheet

    def add(self, row: SheetRow, problems: list[Problem]) -> None:
        self.sheet.append(
            [*(_csv_cell(row.cells.get(h)) for h in self.headers), describe(problems)]
        )


def _csv_cell(value: Any) -> Any:
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | datetime):
        return value.isoformat()
    return as_typed(value)  # csv_text marks it again if it needs the mark
