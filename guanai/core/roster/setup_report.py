"""What the set-up sheets (学校, 教师, 班级) of an imported workbook did: its own module, so that
the roster's :class:`~guanai.core.roster.importer.ImportReport` can carry it without the
importer and the set-up import importing each other."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from guanai.core.i18n import Label
from guanai.core.roster.setup_columns import SPECS
from guanai.core.roster.validation import Problem
from guanai.core.school_setup import Written


@dataclass
class SetupReport:
    """What the set-up sheets of a workbook did: the school they set up (None when a problem
    left it unknown), what was created and updated on each sheet (学校, 教师, 班级), the
    problems and the warnings, and whether a roster sheet is to be imported after them."""

    school_id: int | None = None
    sheets: tuple[str, ...] = ()
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    found: list[tuple[int, int, Problem]] = field(default_factory=list)  # sheet, row, problem
    warnings: list[Label] = field(default_factory=list)  # e.g. a column ignored
    has_roster: bool = False  # the workbook also holds a roster sheet (留守儿童)

    def problem(self, sheet: str, row: int, header: str, reason: Label) -> None:
        """A problem of ``row`` of ``sheet``, in the column ``header`` ("": the whole row)."""
        column = f"{sheet}：{header}" if header else sheet
        self.found.append((list(SPECS).index(sheet), row, Problem(row, column, reason)))

    @property
    def problems(self) -> list[Problem]:
        """Every problem, sheet by sheet (学校, 教师, 班级), row by row."""
        return [problem for *_, problem in sorted(self.found, key=lambda f: f[:2])]

    @property
    def rejected(self) -> int:
        """How many rows have a problem."""
        return len({(sheet, row) for sheet, row, _ in self.found})

    def count(self, sheet: str, written: Written) -> None:
        if written.created:
            self.created[sheet] += 1
        elif written.changed:
            self.updated[sheet] += 1
