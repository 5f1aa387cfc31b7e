"""DaySpreader: days for per-child duties under a daily cap, and a child's same duty kept out
of the week of its previous one."""

from __future__ import annotations

from datetime import date, timedelta

from guanai.core.spreading import DaySpreader, week_of

MONDAY = date(2026, 11, 30)  # ISO week 49 of 2026
WEEK_49 = (2026, 49)
TWO_WEEKS = [MONDAY + timedelta(days=n) for n in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)]


def test_a_task_in_its_childs_previous_week_swaps_days_with_one_that_is_free_to():
    spreader = DaySpreader(cap=3)
    placed = spreader.place(1, TWO_WEEKS, 2)
    assert [week_of(d) for d in placed] == [WEEK_49, (2026, 50)]
    load = dict(spreader.load[1])
    # the first child had its last talk in week 49, the second in an earlier week
    stuck = spreader.keep_apart(1, TWO_WEEKS, placed, [WEEK_49, (2026, 48)])
    assert stuck == 0
    assert week_of(placed[0]) != WEEK_49 and week_of(placed[1]) == WEEK_49
    assert dict(spreader.load[1]) == load  # a swap keeps every day's load


def test_without_a_partner_to_swap_with_a_task_moves_to_the_nearest_day_of_another_week():
    spreader = DaySpreader(cap=1)
    placed = [date(2026, 12, 4)]  # Friday of week 49
    spreader.keep(1, placed[0], TWO_WEEKS)
    assert spreader.keep_apart(1, TWO_WEEKS, placed, [WEEK_49]) == 0
    assert placed == [date(2026, 12, 7)]
    assert spreader.load[1][date(2026, 12, 7)] == 1
    assert sum(spreader.load[1].values()) == 1


def test_a_move_respects_the_cap_and_one_with_no_room_stays_and_is_counted():
    spreader = DaySpreader(cap=1)
    week_50 = TWO_WEEKS[5:]
    for day in week_50:  # the other week is full
        spreader.keep(1, day, week_50)
    placed = spreader.place(1, TWO_WEEKS[:5], 1)
    assert spreader.keep_apart(1, TWO_WEEKS, placed, [WEEK_49]) == 1
    assert week_of(placed[0]) == WEEK_49


def test_a_window_inside_the_childs_previous_week_cannot_avoid_it():
    spreader = DaySpreader(cap=3)
    days = TWO_WEEKS[:5]
    placed = spreader.place(1, days, 3)
    assert spreader.keep_apart(1, days, placed, [WEEK_49, None, WEEK_49]) == 2


def test_each_teachers_load_is_its_own():
    spreader = DaySpreader(cap=1)
    spreader.place(2, TWO_WEEKS[5:], 5)  # another teacher's full week 50
    placed = spreader.place(1, TWO_WEEKS[:5], 1)
    assert spreader.keep_apart(1, TWO_WEEKS, placed, [WEEK_49]) == 0
    assert week_of(placed[0]) == (2026, 50)
