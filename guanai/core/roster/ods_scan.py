"""What an .ods sheet would cost once its repeated rows and cells are spread out.

An .ods writes identical neighbours once, with a count: ``<table:table-row
table:number-rows-repeated="1048576">`` holding ``<table:table-cell
table:number-columns-repeated="1024">``. python-calamine spreads a sheet out whole, every cell
from the first to the last that holds something, so 1.5 KB of XML can ask for a billion cells
and abort the process when memory runs out. :class:`OdsScan` counts, as the XML streams past,
the rows and the cells of a row up to the last that holds something (empty repeated rows and
cells at the end, as LibreOffice writes them, cost nothing), and refuses a sheet past ``rows``,
``columns``, or whose spread-out cells would take more memory than ``unpacked_mb`` allows
(:data:`CELL_BYTES` a cell).
"""

from __future__ import annotations

import re

from guanai.core.config import LimitSettings
from guanai.core.i18n import Label
from guanai.core.limits import over_limit
from guanai.core.roster.file_errors import RosterFileError

CELL_BYTES = 64  # what one spread-out cell costs in memory, counted against unpacked_mb
_ELEMENT = re.compile(
    rb"<(/?)(?:[\w.-]{1,16}:)?(table-row|table-cell|covered-table-cell|table)\b([^>]*?)(/?)>"
)
_REPEATED = re.compile(rb'number-(?:rows|columns)-repeated\s*=\s*["\'](\d{1,12})["\']')


class OdsScan:
    """The rows and cells of the sheet being streamed (see the module's docstring)."""

    def __init__(self, en: str, zh: str, limits: LimitSettings) -> None:
        self.en, self.zh, self.limits = en, zh, limits
        self.rows = self.pending_rows = 0  # rows up to the last with something; empty after it
        self.width = 0  # the widest row, up to its last cell with something
        self.cells = self.pending_cells = 0  # in the current row
        self.repeat, self.filled = 1, False  # the current row's count, whether it holds anything

    def piece(self, data: bytes) -> None:
        """Take the next piece of content.xml, which splits no tag."""
        for end, name, attributes, empty in _ELEMENT.findall(data):
            found = _REPEATED.search(attributes)
            count = int(found.group(1)) if found else 1
            if name == b"table":
                if not end:  # a new sheet: each is spread out on its own
                    self.rows = self.pending_rows = self.width = 0
            elif name == b"table-row":
                if end:
                    self._row_ends()
                elif empty:
                    self.pending_rows += count
                else:
                    self.cells = self.pending_cells = 0
                    self.repeat, self.filled = count, False
            elif not end:
                if empty:
                    self.pending_cells += count
                else:  # a cell with content (or at least not written empty)
                    self.cells += self.pending_cells + count
                    self.pending_cells, self.filled = 0, True
                    if self.cells > self.limits.columns:
                        what = Label(
                            f"{self.zh} 有一行单元格太多", f"{self.en} has a row of too many cells"
                        )
                        raise RosterFileError(over_limit(what, "columns", self.limits.columns))

    def _row_ends(self) -> None:
        if not self.filled:
            self.pending_rows += self.repeat
            return
        self.rows += self.pending_rows + self.repeat
        self.pending_rows = 0
        self.width = max(self.width, self.cells)
        if self.rows > self.limits.rows:
            what = Label(f"{self.zh} 的行数太多", f"{self.en} has too many rows")
            raise RosterFileError(over_limit(what, "rows", self.limits.rows))
        if self.rows * self.width * CELL_BYTES > self.limits.unpacked_mb << 20:
            what = Label(
                f"{self.zh} 展开重复的行和单元格后太大",
                f"{self.en} is too large once its repeated rows and cells are spread out",
            )
            raise RosterFileError(over_limit(what, "unpacked_mb", self.limits.unpacked_mb))
