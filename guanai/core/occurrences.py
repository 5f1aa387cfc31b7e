"""Expanding a term's plan entries into dated activity occurrences and step windows.

An occurrence is one activity of one type at every school: "October's talks", "the care week".
Its key is stable across re-plans (it names the schedule, not the dates), so editing the
calendar moves an activity instead of replacing it.

A monthly duty's occurrences are the term's months, except that a first or last month with only
a few school days (``[planning] stub_month_school_days``) is a stub: it folds into its
neighbouring month, whose occurrence (and key) then spans both. A spring term that starts on
22 February has one February week; without folding it would carry a whole month's talks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from guanai.core.activity import (
    EVERYONE,
    ActivityType,
    Anchor,
    Coverage,
    Offset,
    Selection,
    Step,
    stages_of,
)
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import PlanEntry, TermCalendar
from guanai.core.config import PlanningSettings
from guanai.core.errors import CalendarError
from guanai.core.i18n import Label


@dataclass(frozen=True)
class StepWindow:
    """When one step's tasks of an occurrence may be done: from ``starts_on`` to ``due_on``."""

    step: Step
    coverage: Coverage
    stage: int
    starts_on: date
    due_on: date
    days: tuple[date, ...]  # the school days a spread step may be placed on


@dataclass(frozen=True)
class Occurrence:
    activity_type: ActivityType
    key: str
    starts_on: date
    ends_on: date
    windows: tuple[StepWindow, ...]
    selection: Selection = EVERYONE  # the children its per-child and per-class steps cover


def _span(calendar: TermCalendar, entry: PlanEntry) -> tuple[str, date, date] | None:
    """The occurrence key suffix and first/last school day of one-off schedules."""
    s = entry.schedule
    if s.period is not None:
        period = calendar.periods[s.period]
        first, last = period.starts_on, period.ends_on
        key = f"period:{s.period}"
    elif s.on is not None:
        first = last = s.on
        key = f"on:{s.on.isoformat()}"
    elif s.after is not None:
        period = calendar.periods[s.after]
        first, _ = calendar.shift(_last_school_day(calendar, period.ends_on), s.school_days)
        last, _ = calendar.shift(first, s.length - 1)
        key = f"after:{s.after}"
    elif s.between is not None:
        first, last = s.between
        key = f"between:{first.isoformat()}"
    else:
        return None
    days = calendar.school_days_between(first, last)
    if not days:
        raise CalendarError(
            Label(
                f"日历文件 {calendar.source}，{entry.where}：{first} 至 {last} 没有上学日",
                f"calendar file {calendar.source}, {entry.where}: no school days from {first} to {last}",
            )
        )
    return key, days[0], days[-1]


def _last_school_day(calendar: TermCalendar, day: date) -> date:
    days = calendar.school_days_between(calendar.starts_on, day)
    return days[-1] if days else calendar.school_days()[0]


STUB_MONTH_SCHOOL_DAYS = PlanningSettings().stub_month_school_days
BREAK_PREFIX = "break:"
"""How an activity's key marks it as planned in the break (``home_visit@break:between:…``)."""
CASE_PREFIX = "case:"
"""How the keys of case plans' check activities begin (``case:<plan id>:<date>``): made by
:mod:`guanai.core.case_plans`, never by a calendar, so a re-plan leaves them alone."""


def days_of(calendar: TermCalendar, activity_key: str) -> TermCalendar:
    """The calendar whose days an activity is counted in: the break's, or the term's."""
    return calendar.break_view() if f"@{BREAK_PREFIX}" in activity_key else calendar


def month_spans(calendar: TermCalendar, stub_days: int) -> list[tuple[str, date, date]]:
    """The key suffix and first/last school day of each monthly occurrence.

    The term's first month, if it has at most ``stub_days`` school days, folds into the next;
    its last month likewise into the previous. The span keeps the key of the month it folds
    into, so a re-plan with another threshold moves that occurrence rather than replacing it.
    """
    months: dict[str, list[date]] = {}
    for day in calendar.school_days():
        months.setdefault(f"month:{day.year:04d}-{day.month:02d}", []).append(day)
    return _folded(months, stub_days)


def half_month_spans(calendar: TermCalendar, stub_days: int) -> list[tuple[str, date, date]]:
    """As :func:`month_spans`, for each half of a month (the 1st to the 15th, the 16th to its
    end); a half at either end of the term with at most ``stub_days`` school days folds, so
    that the first week of a term carries no more than a month's duties would."""
    halves: dict[str, list[date]] = {}
    for day in calendar.school_days():
        half = 1 if day.day <= HALF_MONTH_ENDS else 2
        halves.setdefault(f"half:{day.year:04d}-{day.month:02d}-{half}", []).append(day)
    return _folded(halves, stub_days)


HALF_MONTH_ENDS = 15
"""The last day of a month's first half."""


def _folded(months: dict[str, list[date]], stub_days: int) -> list[tuple[str, date, date]]:
    """The spans of ``months`` (school days by key, in order), a stub at either end folded."""
    keys = list(months)
    if len(keys) > 1 and len(months[keys[0]]) <= stub_days:
        stub = months.pop(keys.pop(0))
        months[keys[0]][:0] = stub
    if len(keys) > 1 and len(months[keys[-1]]) <= stub_days:
        stub = months.pop(keys.pop())
        months[keys[-1]] += stub
    return [(key, days[0], days[-1]) for key, days in months.items()]


def expand_plan(
    calendar: TermCalendar,
    registry: ActivityRegistry,
    warnings: list[Label],
    stub_days: int = STUB_MONTH_SCHOOL_DAYS,
) -> list[Occurrence]:
    """Every occurrence the calendar's plan asks for, in date order, with the types of
    ``registry`` and those the calendar defines.

    Clamping a step's day to the term's first or last school day adds a warning. ``stub_days``
    is ``[planning] stub_month_school_days`` (see :func:`month_spans`).
    """
    registry = registry.including(calendar.key, calendar.activities, calendar.source)
    occurrences: list[Occurrence] = []
    for entry in calendar.plan:
        activity_type = registry.get(entry.activity_type)
        days = calendar.break_view() if entry.in_break else calendar
        prefix = BREAK_PREFIX if entry.in_break else ""
        for selection, suffix, spans in _runs(days, entry, activity_type, stub_days):
            for span, first, last in spans:
                key = f"{entry.activity_type}@{prefix}{span}{suffix}"
                windows = step_windows(days, activity_type, first, last, key, warnings)
                occurrences.append(Occurrence(activity_type, key, first, last, windows, selection))
    occurrences.sort(key=lambda o: (o.starts_on, o.key))
    return occurrences


_Spans = list[tuple[str, date, date]]
_CADENCE_SPANS = {"month": month_spans, "half_month": half_month_spans}


def _runs(
    calendar: TermCalendar, entry: PlanEntry, activity_type: ActivityType, stub_days: int
) -> list[tuple[Selection, str, _Spans]]:
    """The entry's runs of occurrences: each with the children it covers, the suffix of its
    keys and its spans. A selection the entry or type names marks its keys (``/key``), so
    another selection of the same schedule is another activity. A recurring entry for every
    child whose type (or the entry) sets a closer cadence for the key children becomes two
    runs: the others at the entry's cadence (keys unchanged), the key children at theirs."""
    explicit = entry.selection or activity_type.selects
    suffix = "" if explicit.everyone else f"/{explicit.slug}"
    span = _span(calendar, entry)
    if span is not None:
        return [(explicit, suffix, [span])]
    every = entry.schedule.every
    assert every is not None  # the only schedule without a span of its own
    runs = [(explicit, suffix, _CADENCE_SPANS[every](calendar, stub_days))]
    closer = entry.key_children_every or activity_type.key_children_every
    if closer is None or closer == every or explicit.key_target is not None:
        return runs
    others = replace(explicit, key_target=False)
    key = replace(explicit, key_target=True)
    return [
        (others, suffix, runs[0][2]),
        (key, f"/{key.slug}", _CADENCE_SPANS[closer](calendar, stub_days)),
    ]


def step_windows(
    calendar: TermCalendar,
    activity_type: ActivityType,
    first: date,
    last: date,
    key: str,
    warnings: list[Label],
) -> tuple[StepWindow, ...]:
    """The window of each step of an activity from ``first`` to ``last`` (days counted in
    ``calendar``, the term's or its break's); clamping a day to the term adds a warning."""
    stages = stages_of(type(activity_type))
    no_duty = calendar.no_duty_days()

    def day(offset: Offset) -> date:
        anchor = first if offset.anchor is Anchor.START else last
        moved, clamped = calendar.shift(anchor, offset.school_days)
        if clamped:
            warnings.append(
                Label(
                    f"{key}：步骤日期超出学期，已调整为 {moved}",
                    f"{key}: a step's day falls outside the term and was moved to {moved}",
                )
            )
        return moved

    windows = []
    for step in activity_type.steps:
        starts_on, due_on = day(step.starts), day(step.due)
        if due_on < starts_on:
            starts_on = due_on
        days: tuple[date, ...] = ()
        if step.spread:
            candidates = calendar.school_days_between(starts_on, due_on)
            days = tuple(d for d in candidates if d not in no_duty) or tuple(candidates)
        windows.append(
            StepWindow(
                step, activity_type.coverage_of(step), stages[step.name], starts_on, due_on, days
            )
        )
    return tuple(windows)
