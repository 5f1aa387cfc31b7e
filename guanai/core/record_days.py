"""The days a task's record may name: from its window's first day, and days off confirmed.

A talk or a visit is recorded on or after the day its task's window opens (the step's
``starts`` day, counted from its activity as the planner counts it) and never after today
(:class:`guanai.core.activity.RecordDates`). A date on a day the term calendar has no school
(a weekend, a holiday, the break after the term outside its duty days) may be right, a home visit on a Saturday,
or a slip of the keyboard: it is kept only when the recorder confirms it, and the record is
marked (:data:`DAY_OFF_MARK`) so that whoever reads it later sees it was confirmed.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from guanai.core.activity import Anchor, DayOffError, FieldKind, Offset, Step
from guanai.core.calendar import TermCalendar, parse_calendar
from guanai.core.i18n import Label
from guanai.core.models import Activity, Task, Term
from guanai.core.occurrences import days_of

DAY_OFF_MARK = "_day_off"
"""The record key listing the date fields confirmed on a day off (no field is named so:
field names start with a letter)."""
DAY_OFF_SHOWN = Label("非上学日，已确认", "not a school day, confirmed")
"""How a reader is told that a record's date fell on a day off and was confirmed."""


@lru_cache(maxsize=8)
def stored_calendar(key: str, source: str) -> TermCalendar:
    """The calendar of term ``key`` as stored when it was planned (parsed once per text)."""
    return parse_calendar(source, Path(f"{key}.toml"))


def term_calendar(term: Term) -> TermCalendar:
    """The calendar ``term`` was last planned from (parsed once per text)."""
    return stored_calendar(term.key, term.calendar_source)


def window_opens(calendar: TermCalendar, activity: Activity, step: Step, task: Task) -> date:
    """The first day ``task`` may be done: its step's start in its activity, as planned."""

    days = days_of(calendar, activity.key)

    def day(offset: Offset) -> date:
        anchor = activity.starts_on if offset.anchor is Anchor.START else activity.ends_on
        return days.shift(anchor, offset.school_days)[0]

    return min(day(step.starts), day(step.due), task.scheduled_on)


def day_off(calendar: TermCalendar, day: date) -> Label | None:
    """Why ``day`` has no school (「国庆节假期」, 「周末」), or None on a school day or a duty day
    of the break (a home visit of the summer break is recorded on the day it was made)."""
    if calendar.is_duty_day(day):
        return None
    for holiday in calendar.holidays:
        if holiday.starts_on <= day <= holiday.ends_on:
            return Label(f"{holiday.name.zh}假期", f"the {holiday.name.en} holiday")
    if not calendar.starts_on <= day <= calendar.ends_on:
        return Label("学期外", "outside the term")
    if day.isoweekday() not in calendar.weekdays:
        return Label("周末", "a weekend")
    return Label("不上课的日子", "a day without school")


def confirm_days_off(
    step: Step, record: dict[str, Any], calendar: TermCalendar, confirmed: bool
) -> dict[str, Any]:
    """``record`` as stored: marked with the date fields that fall on a day off when
    ``confirmed``; :class:`DayOffError` naming each of them when not."""
    off = [
        (field, value, kind)
        for field in step.record
        if field.kind is FieldKind.DATE and (value := record.get(field.name)) is not None
        if (kind := day_off(calendar, date.fromisoformat(value))) is not None
    ]
    if not off:
        return record
    if confirmed:
        return {**record, DAY_OFF_MARK: [field.name for field, _, _ in off]}
    zh = "；".join(f"{f.named.zh}填的 {v} 不是上学日（{k.zh}）" for f, v, k in off)
    en = "; ".join(f"{f.named.en} {v} is not a school day ({k.en})" for f, v, k in off)
    raise DayOffError(
        Label(f"{zh}，确认无误才照此记录", f"{en}: it is recorded so only when confirmed"),
        tuple(field.name for field, _, _ in off),
    )
