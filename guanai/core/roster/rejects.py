"""The rejects file: the rows an import left out, as they were, with what is wrong with each.

It has the input's format and headers plus a 问题 / Problems column, which the importer ignores,
so the user fixes the cells in place and imports the same file again. A CSV is written in UTF-8
with a BOM, which Excel opens without garbling the Chinese.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Protocol

from guanai.core.i18n import Label
from guanai.core.roster.reading import PROBLEMS_HEADER, LostDigits, RosterFile, SheetRow
from guanai.core.roster.validation import Problem


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
    """A sink for rejected rows, written to ``path`` in ``roster``'s format on exit."""
    headers = [h for h in roster.headers if h]
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        with _xlsx(headers, Path(path)) as sink:
            yield sink
    else:
        with _csv(headers, Path(path)) as sink:
            yield sink


class _XlsxSink:
    def __init__(self, headers: list[str]) -> None:
        from openpyxl import Workbook

        self.headers = headers
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("留守儿童")
        self.sheet.append([*headers, str(PROBLEMS_HEADER)])

    def add(self, row: SheetRow, problems: list[Problem]) -> None:
        self.sheet.append(
            [*(_xlsx_cell(row.cells.get(h)) for h in self.headers), describe(problems)]
        )


@contextmanager
def _xlsx(headers: list[str], path: Path) -> Iterator[_XlsxSink]:
    sink = _XlsxSink(headers)
    yield sink
    sink.workbook.save(path)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, LostDigits):
        return value.number  # as Excel had it: the user retypes it as text
    if isinstance(value, datetime) and value.time() == time():
        return value.date()
    return value


class _CsvSink:
    def __init__(self, headers: list[str], writer: Any) -> None:
        self.headers = headers
        self.writer = writer
        writer.writerow([*headers, str(PROBLEMS_HEADER)])

    def add(self, row: SheetRow, problems: list[Problem]) -> None:
        self.writer.writerow(
            [*(_csv_cell(row.cells.get(h)) for h in self.headers), describe(problems)]
        )


@contextmanager
def _csv(headers: list[str], path: Path) -> Iterator[_CsvSink]:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        yield _CsvSink(headers, csv.writer(file))


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)
