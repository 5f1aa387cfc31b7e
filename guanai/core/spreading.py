"""Giving per-child duties concrete days.

A teacher with thirty monthly talks should not have them all on the first of the month, nor
more than a set number on any day. Each new task goes to the day nearest its evenly spaced
ideal position that still has room under the teacher's daily cap; a task that already has a
valid day keeps it (even where an earlier plan had to go over the cap), so re-planning moves
nothing that need not move. Lowering the cap therefore applies to tasks planned afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Sequence
from datetime import date


class DaySpreader:
    """Tracks each teacher's load per day across all spread steps of one school.

    The load is kept per teacher (``load[teacher][day]``) rather than under (teacher, day)
    keys: planning asks about one teacher's days many times in a row, and a nested lookup
    avoids building a key tuple for every probe.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.load: defaultdict[int | None, defaultdict[date, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        self.overflows = 0

    def keep(self, teacher: int | None, day: date, days: Container[date]) -> bool:
        """Keep an existing task's day if it is still one of the window's allowed days."""
        if day in days:
            self.load[teacher][day] += 1
            return True
        return False

    def place(self, teacher: int | None, days: Sequence[date], count: int) -> list[date]:
        """Days for ``count`` new tasks of ``teacher`` among ``days``, spaced evenly."""
        load = self.load[teacher]
        cap = self.cap
        placed = []
        width = len(days)
        for k in range(count):
            ideal = (2 * k + 1) * width // (2 * count)  # < width, as 2k + 1 < 2 * count
            chosen: date | None = days[ideal]  # usually free: no search needed
            if load[chosen] >= cap:
                chosen = _nearest_free(load, cap, days, ideal)
            if chosen is None:
                self.overflows += 1
                chosen = min(days, key=lambda d: (load[d], d))
            load[chosen] += 1
            placed.append(chosen)
        return placed


def _nearest_free(
    load: defaultdict[date, int], cap: int, days: Sequence[date], ideal: int
) -> date | None:
    """The day nearest ``days[ideal]`` (earlier first on a tie) with room under ``cap``."""
    width = len(days)
    for distance in range(width):
        for index in (ideal - distance, ideal + distance):
            if 0 <= index < width and load[days[index]] < cap:
                return days[index]
    return None
