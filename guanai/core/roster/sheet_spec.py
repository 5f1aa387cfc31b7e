"""What one kind of sheet holds: its columns, the column that matches a row to a record, and
the names its sheet goes by in a workbook.

The roster (留守儿童) is one :class:`SheetSpec`; the set-up sheets (学校, 班级, 教师) are others,
read by the same machinery (:func:`guanai.core.roster.reading.open_sheet`): the same limits,
formats, header search, two-row headers, ignored columns and normalised cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from guanai.core.i18n import Label
from guanai.core.roster.columns import CHILD_COLUMNS, Column, header_index, header_key


@dataclass(frozen=True)
class SheetSpec:
    """A kind of sheet.

    - ``what``: what the sheet is, for messages (名册 / roster);
    - ``columns``: every column it may have; a header names one in Chinese, English or by key;
    - ``identity``: the key of the column that matches a row to its record (学号 for the
      roster): a file without it is refused, since no row of it could be matched;
    - ``sheet_names``: the names the sheet goes by in a workbook, matched without regard to
      case or surrounding spaces; :func:`~guanai.core.roster.reading.open_sheet` takes the
      first sheet when none matches.
    """

    what: Label
    columns: tuple[Column, ...]
    identity: str
    sheet_names: tuple[str, ...] = ()

    @cached_property
    def _by_header(self) -> dict[str, Column]:
        return header_index(self.columns)

    def column_for(self, header: str) -> Column | None:
        """The column ``header`` names, or None if it names none of this sheet's."""
        return self._by_header.get(header_key(header))

    def is_group(self, header: str) -> bool:
        """Whether ``header`` begins some column's Chinese header (父亲 of 父亲姓名), and so may
        be a group header merged over the columns below it."""
        return any(c.header.zh.startswith(header) for c in self.columns) if header else False

    def missing_required(self, keys: frozenset[str]) -> tuple[Column, ...]:
        """The required columns not among ``keys``, in the sheet's order."""
        return tuple(c for c in self.columns if c.required and c.key not in keys)


ROSTER_SHEET = SheetSpec(
    Label("名册", "roster"), CHILD_COLUMNS, "child.student_no", ("留守儿童", "children")
)
