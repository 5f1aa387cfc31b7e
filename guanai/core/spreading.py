"""Giving per-child duties concrete days.

A teacher with thirty monthly talks should not have them all on the first of the month, nor
more than a set number on any day. Each new task goes to the day nearest its evenly spaced
ideal position that still has room under the teacher's daily cap; a task that already has a
valid day keeps it, so re-planning moves nothing that need not move.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date


class DaySpreader:
    """Tracks each teacher's load per day across all spread steps of one school."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.load: defaultdict[tuple[int | None, date], int] = defaultdict(int)
        self.overflows = 0

    def keep(self, teacher: int | None, day: date, days: Sequence[date]) -> bool:
        """Keep an existing task's day if it is still allowed and under the cap."""
        if day in days and self.load[teacher, day] < self.cap:
            self.load[teacher, day] += 1
            return True
        return False

    def place(self, teacher: int | None, days: Sequence[date], count: int) -> list[date]:
        """Days for ``count`` new tasks of ``teacher`` among ``days``, spaced evenly."""
        placed = []
        width = len(days)
        for k in range(count):
            ideal = min(width - 1, (2 * k + 1) * width // (2 * count))
            chosen = self._nearest_free(teacher, days, ideal)
            if chosen is None:
                self.overflows += 1
                chosen = min(days, key=lambda d: (self.load[teacher, d], d))
            self.load[teacher, chosen] += 1
            placed.append(chosen)
        return placed

    def _nearest_free(self, teacher: int | None, days: Sequence[date], ideal: int) -> date | None:
        for distance in range(len(days)):
            for index in (ideal - distance, ideal + distance):
                if 0 <= index < len(days) and self.load[teacher, days[index]] < self.cap:
                    return days[index]
        return None
