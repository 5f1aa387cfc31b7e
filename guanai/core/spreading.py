"""Giving per-child duties concrete days.

A teacher with thirty monthly talks should not have them all on the first of the month, nor
more than a set number on any day. Each new task goes to the day nearest its evenly spaced
ideal position that still has room under the teacher's daily cap; a task that already has a
valid day keeps it (even where an earlier plan had to go over the cap), so re-planning moves
nothing that need not move. Lowering the cap therefore applies to tasks planned afterwards.

A child should not have the same kind of duty (one step of one activity type) twice in one
week: October's talk on Friday the 30th and November's on Monday the 2nd are fine, but not a
stub week's talk and the next month's in the same week. :meth:`DaySpreader.keep_apart` keeps a
new task out of the ISO week of the same child's task of the previous occurrence, where the
window has another day.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Container, Sequence
from datetime import date
from functools import cache

Week = tuple[int, int]  # ISO year and week number


@cache
def week_of(day: date) -> Week:
    """The ISO week of ``day`` (the schools' days are local dates already)."""
    year, week, _ = day.isocalendar()
    return year, week


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

    def keep_apart(
        self,
        teacher: int | None,
        days: Sequence[date],
        placed: list[date],
        avoid: Sequence[Week | None],
    ) -> int:
        """Keep task ``i`` of ``placed`` (days just given to one teacher's tasks among ``days``)
        out of the week ``avoid[i]``: first by swapping two tasks' days, which keeps every
        day's load, else by moving it to the nearest day of another week with room under the
        cap. Changes ``placed`` in place; returns how many tasks still fall in their week
        (the window has no other day, or no other day with room)."""
        load = self.load[teacher]
        stuck = 0
        for i, day in enumerate(placed):
            week = week_of(day)
            if avoid[i] != week:
                continue
            for j, other in enumerate(placed):
                if avoid[j] != week and week_of(other) != week:
                    placed[i], placed[j] = other, day
                    break
            else:
                others = [d for d in days if week_of(d) != week]
                nearest = min(bisect_left(others, day), len(others) - 1)
                moved = _nearest_free(load, self.cap, others, nearest) if others else None
                if moved is None:
                    stuck += 1
                    continue
                load[day] -= 1
                load[moved] += 1
                placed[i] = moved
        return stuck


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
