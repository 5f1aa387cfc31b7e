"""Identical problems of an import as one line each, with the rows they affect.

A roster whose class column is spelled in a way the school does not know has the same problem
in each of its 800 rows; listed row by row, the four real mistakes of the file are buried
under 800 copies. Grouped by (column, reason), it is one line::

    第 3–802 行（800 行），「班级」：本校没有班级「三年级(9)班」（已有：…）

:class:`~guanai.core.roster.importer.ImportReport` keeps its problems per row (the rejects file
and ``--valid-only`` need them); this groups them for showing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from guanai.core.i18n import Label
from guanai.core.roster.validation import Problem

SHOWN_RANGES = 8  # row ranges written out in one group; the count says how many rows in all


@dataclass(frozen=True)
class ProblemGroup:
    """One problem (a column and what is wrong in it) and every row that has it, in order."""

    column: str  # the header as written in the file; empty for a problem of the whole row
    reason: Label
    rows: tuple[int, ...]

    @property
    def ranges(self) -> list[tuple[int, int]]:
        """The rows as runs of consecutive row numbers, (first, last)."""
        runs: list[tuple[int, int]] = []
        for row in self.rows:
            if runs and row == runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], row)
            else:
                runs.append((row, row))
        return runs

    def _spans(self, dash: str, comma: str) -> str:
        ranges = self.ranges
        shown = comma.join(
            str(first) if first == last else f"{first}{dash}{last}"
            for first, last in ranges[:SHOWN_RANGES]
        )
        return shown + ("…" if len(ranges) > SHOWN_RANGES else "")

    @property
    def where(self) -> Label:
        """The rows as a table's cell shows them: ``3–802（800 行）``, ``5、9（2 行）``, ``7``."""
        zh, en, count = self._spans("–", "、"), self._spans("-", ", "), len(self.rows)
        if count == 1:
            return Label(zh, en)
        return Label(f"{zh}（{count} 行）", f"{en} ({count} rows)")

    @property
    def message(self) -> Label:
        """The whole line: ``第 3–802 行（800 行），「班级」：…``."""
        zh, en, count = self._spans("–", "、"), self._spans("-", ", "), len(self.rows)
        rows = Label(f"第 {zh} 行", f"row {en}")
        if count > 1:
            rows = Label(f"第 {zh} 行（{count} 行）", f"rows {en} ({count} rows)")
        if not self.column:
            return Label(f"{rows.zh}：{self.reason.zh}", f"{rows.en}: {self.reason.en}")
        return Label(
            f"{rows.zh}，「{self.column}」：{self.reason.zh}",
            f"{rows.en}, column '{self.column}': {self.reason.en}",
        )


def group_problems(problems: Iterable[Problem]) -> list[ProblemGroup]:
    """The problems grouped by column and reason, in the order of each group's first row."""
    rows: dict[tuple[str, str, str], list[int]] = {}
    reasons: dict[tuple[str, str, str], Label] = {}
    for problem in problems:
        key = (problem.column, problem.reason.zh, problem.reason.en)
        rows.setdefault(key, []).append(problem.row)
        reasons.setdefault(key, problem.reason)
    groups = [
        ProblemGroup(key[0], reasons[key], tuple(sorted(set(found)))) for key, found in rows.items()
    ]
    return sorted(groups, key=lambda group: group.rows[0])
