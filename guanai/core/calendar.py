"""Term calendars: school days, holidays, make-up workdays (调休) and named periods.

A term is read from a TOML file (format in docs/calendars.md; examples in guanai/calendars/).
School days are the term's weekdays, minus holidays, plus make-up workdays. Holidays for a
year whose official notice is not recorded in the file must be marked provisional; planning
with provisional days says so loudly instead of silently guessing.
"""

from __future__ import annotations

import bisect
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from guanai.core.activity import CADENCES, Schedule, Selection
from guanai.core.calendar_activities import CalendarActivity, read_activities, read_selection
from guanai.core.calendar_reader import TableReader, calendar_error
from guanai.core.config import LimitSettings
from guanai.core.errors import CalendarError
from guanai.core.i18n import Label
from guanai.core.limits import over_limit, toml_too_deep
from guanai.core.timezone import SCHOOL_TIMEZONE_NAME


@dataclass(frozen=True)
class Holiday:
    """Days off from ``starts_on`` to ``ends_on`` inclusive."""

    name: Label
    starts_on: date
    ends_on: date
    provisional: bool = False

    def days(self) -> Iterator[date]:
        day = self.starts_on
        while day <= self.ends_on:
            yield day
            day += timedelta(days=1)


@dataclass(frozen=True)
class MakeupWorkday:
    """A weekend day that is a school day because a holiday was moved (调休)."""

    name: Label
    on: date
    provisional: bool = False


CalendarEntry = Holiday | MakeupWorkday


@dataclass(frozen=True)
class Period:
    """A named stretch of the term: welcome-back week, care week, exams, New Year."""

    key: str
    name: Label
    starts_on: date
    ends_on: date
    no_duties: bool = False  # exams: per-child duties are kept out of it


@dataclass(frozen=True)
class Break:
    """The break that follows the term (寒假, 暑假), from ``starts_on`` to ``ends_on``.

    Its duty days (for home visits, phone calls, holiday care) are its ``weekdays`` that are
    not holidays: the days a break activity's tasks are placed on, as a term's are on school
    days.
    """

    name: Label
    starts_on: date
    ends_on: date
    weekdays: frozenset[int]


BREAK_KEYS = ("name", "name_en", "starts_on", "ends_on", "duty_weekdays")


@dataclass(frozen=True)
class PlanEntry:
    """One line of the term's plan: an activity type, when it happens and, if the entry says,
    for which children (else the type's :attr:`~guanai.core.activity.ActivityType.selects`)
    and how often for the key children (else the type's ``key_children_every``)."""

    activity_type: str
    schedule: Schedule
    where: str  # e.g. "plan[3]", for error messages
    selection: Selection | None = None
    key_children_every: str | None = None
    in_break: bool = False  # planned on the break's duty days, not the term's school days


@dataclass
class TermCalendar:
    key: str
    name: Label
    starts_on: date
    ends_on: date
    timezone: str
    weekdays: frozenset[int]
    source: Path
    text: str
    holiday_notices: dict[int, str]
    holidays: list[Holiday] = field(default_factory=list)
    workdays: list[MakeupWorkday] = field(default_factory=list)
    periods: dict[str, Period] = field(default_factory=dict)
    plan: list[PlanEntry] = field(default_factory=list)
    activities: dict[str, CalendarActivity] = field(default_factory=dict)
    """The activity types the calendar defines itself (``[[activities]]``), by name."""
    following_break: Break | None = None
    """The break after the term, if the calendar names it (``[break]``)."""
    _school_days: list[date] = field(default_factory=list, repr=False)
    _break_view: TermCalendar | None = field(default=None, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def add(self, entry: CalendarEntry, where: str) -> None:
        """Add a holiday or make-up workday, refusing an unmarked guess for an unnoticed year."""
        years = (
            {entry.on.year}
            if isinstance(entry, MakeupWorkday)
            else {entry.starts_on.year, entry.ends_on.year}
        )
        missing = sorted(y for y in years if y not in self.holiday_notices)
        if missing and not entry.provisional:
            raise calendar_error(
                self.source,
                where,
                f"{missing[0]} 年没有记录国务院放假通知，须标记 provisional = true",
                f"no official holiday notice for {missing[0]} is recorded in holiday_notices, "
                "so this entry must be marked provisional = true",
            )
        if isinstance(entry, MakeupWorkday):
            self.workdays.append(entry)
        else:
            self.holidays.append(entry)
        self._school_days = []
        self._break_view = None

    @property
    def provisional_entries(self) -> list[CalendarEntry]:
        return [e for e in [*self.holidays, *self.workdays] if e.provisional]

    def school_days(self) -> list[date]:
        if not self._school_days:
            off = {d for h in self.holidays for d in h.days()}
            extra = {w.on for w in self.workdays}
            day, days = self.starts_on, []
            while day <= self.ends_on:
                if day in extra or (day.isoweekday() in self.weekdays and day not in off):
                    days.append(day)
                day += timedelta(days=1)
            self._school_days = days
        return self._school_days

    @property
    def duty_ends_on(self) -> date:
        """The last day a duty of this term may fall on: the break's end, else the term's."""
        return self.following_break.ends_on if self.following_break else self.ends_on

    def break_view(self) -> TermCalendar:
        """The break as a calendar of its own, whose "school days" are its duty days, so that
        a break activity's days are counted as a term activity's are. Only for a calendar
        that has a break."""
        if self._break_view is None:
            holiday = self.following_break
            assert holiday is not None, "only a calendar with a [break] has a break view"
            self._break_view = TermCalendar(
                key=self.key,
                name=holiday.name,
                starts_on=holiday.starts_on,
                ends_on=holiday.ends_on,
                timezone=self.timezone,
                weekdays=holiday.weekdays,
                source=self.source,
                text=self.text,
                holiday_notices=self.holiday_notices,
                holidays=self.holidays,
            )
        return self._break_view

    def is_duty_day(self, day: date) -> bool:
        """A school day, or a duty day of the break."""
        if self.is_school_day(day):
            return True
        view = self.break_view() if self.following_break else None
        return view is not None and view.is_school_day(day)

    def is_school_day(self, day: date) -> bool:
        days = self.school_days()
        i = bisect.bisect_left(days, day)
        return i < len(days) and days[i] == day

    def school_days_between(self, first: date, last: date) -> list[date]:
        days = self.school_days()
        return days[bisect.bisect_left(days, first) : bisect.bisect_right(days, last)]

    def shift(self, day: date, school_days: int) -> tuple[date, bool]:
        """The school day ``school_days`` after ``day`` (a school day), and whether it was
        clamped to the term's first or last school day."""
        days = self.school_days()
        i = bisect.bisect_left(days, day) + school_days
        clamped = min(max(i, 0), len(days) - 1)
        return days[clamped], clamped != i

    def months(self) -> list[tuple[int, int]]:
        return sorted({(d.year, d.month) for d in self.school_days()})

    def no_duty_days(self) -> set[date]:
        return {
            d
            for p in self.periods.values()
            if p.no_duties
            for d in self.school_days_between(p.starts_on, p.ends_on)
        }

    def period_of(self, day: date) -> Period | None:
        for period in self.periods.values():
            if period.starts_on <= day <= period.ends_on:
                return period
        return None


def _check_within(term: TermCalendar, reader: TableReader, name: str, day: date) -> None:
    if not term.starts_on <= day <= term.ends_on:
        raise reader.fail(
            name,
            f"{day} 不在学期 {term.starts_on} 至 {term.ends_on} 之内",
            f"{day} is outside the term {term.starts_on} to {term.ends_on}",
        )


PLAN_KEYS = ("type", "period", "on", "every", "after", "school_days", "length", "between")
PLAN_KEYS += ("children", "key_children_every", "in_break")


def _cadence(reader: TableReader, name: str) -> str:
    every = reader.get(name, str)
    if every not in CADENCES:
        quoted = [f'"{cadence}"' for cadence in CADENCES]
        raise reader.fail(
            name,
            f"应为 {' 或 '.join(quoted)}，不是 {every!r}",
            f"must be {' or '.join(quoted)}, not {every!r}",
        )
    return every


def _break(term: TermCalendar, root: TableReader) -> Break | None:
    if "break" not in root.data:
        return None
    reader = TableReader(root.source, root.get("break", dict), "break")
    reader.only(BREAK_KEYS)
    first, last = reader.range("starts_on", "ends_on")
    if first <= term.ends_on:
        raise reader.fail(
            "starts_on",
            f"假期应在学期结束（{term.ends_on}）之后开始",
            f"the break must start after the term ends ({term.ends_on})",
        )
    weekdays = reader.get("duty_weekdays", list, [1, 2, 3, 4, 5])
    if not weekdays or not all(type(d) is int and 1 <= d <= 7 for d in weekdays):
        raise reader.fail(
            "duty_weekdays",
            "应为 1（周一）到 7（周日）的列表",
            "must be a list of ISO weekdays, 1 (Monday) to 7 (Sunday)",
        )
    return Break(reader.label(), first, last, frozenset(weekdays))


def _schedule(term: TermCalendar, reader: TableReader) -> Schedule:
    forms = [k for k in ("period", "on", "every", "after", "between") if k in reader.data]
    if len(forms) != 1:
        raise reader.fail(
            "",
            "须且只能给出 period、on、every、after、between 之一",
            "give exactly one of period, on, every, after, between",
        )
    form = forms[0]
    in_break = reader.get("in_break", bool, False)
    if in_break:
        if term.following_break is None:
            raise reader.fail("in_break", "日历没有 [break] 假期", "the calendar names no [break]")
        if form in ("period", "after"):
            raise reader.fail(
                form,
                "假期中的活动只能用 on、every、between",
                "an activity in the break takes on, every or between",
            )
        term = term.break_view()
    if form in ("period", "after"):
        key = reader.get(form, str)
        if key not in term.periods:
            raise reader.fail(
                form,
                f"未定义的时段 {key!r}（已定义：{', '.join(term.periods)}）",
                f"unknown period {key!r} (defined: {', '.join(term.periods)})",
            )
        if form == "period":
            return Schedule(period=key)
        school_days = reader.get("school_days", int, 1)
        length = reader.get("length", int, 1)
        if school_days < 0:
            raise reader.fail("school_days", "不能为负", "must not be negative")
        if length < 1:
            raise reader.fail("length", "至少为 1", "must be at least 1")
        return Schedule(after=key, school_days=school_days, length=length)
    if form == "on":
        day = reader.date("on")
        _check_within(term, reader, "on", day)
        if not term.is_school_day(day):
            if in_break:
                raise reader.fail(
                    "on", f"{day} 不是假期的工作日", f"{day} is not a duty day of the break"
                )
            raise reader.fail("on", f"{day} 不是上学日", f"{day} is not a school day")
        return Schedule(on=day)
    if form == "every":
        return Schedule(every=_cadence(reader, "every"))
    pair = reader.get("between", list, what=Label("两个日期的列表", "a list of two dates"))
    if len(pair) != 2 or not all(type(d) is date for d in pair) or pair[1] < pair[0]:
        raise reader.fail("between", "应为 [开始日期, 结束日期]", "must be [first date, last date]")
    for day in pair:
        _check_within(term, reader, "between", day)
    return Schedule(between=(pair[0], pair[1]))


def parse_calendar(text: str, source: Path) -> TermCalendar:
    """Parse a term calendar; raise :class:`CalendarError` naming the file and key if wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CalendarError(
            Label(
                f"日历文件 {source} 不是有效的 TOML：{error}",
                f"calendar file {source} is not valid TOML: {error}",
            )
        ) from None
    root = TableReader(source, data, "")
    term_reader = TableReader(source, root.get("term", dict), "term")
    starts_on, ends_on = term_reader.range("starts_on", "ends_on")
    timezone = term_reader.get("timezone", str, SCHOOL_TIMEZONE_NAME)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise term_reader.fail(
            "timezone", f"未知时区 {timezone!r}", f"unknown time zone {timezone!r}"
        ) from None
    weekdays = term_reader.get("school_weekdays", list, [1, 2, 3, 4, 5])
    if not weekdays or not all(type(d) is int and 1 <= d <= 7 for d in weekdays):
        raise term_reader.fail(
            "school_weekdays",
            "应为 1（周一）到 7（周日）的列表",
            "must be a list of ISO weekdays, 1 (Monday) to 7 (Sunday)",
        )
    notices_raw = root.get("holiday_notices", dict, {})
    notices: dict[int, str] = {}
    for year, notice in notices_raw.items():
        if not (year.isdigit() and isinstance(notice, str)):
            raise root.fail(
                f"holiday_notices.{year}",
                '应为 年份 = "通知文号"',
                'must be year = "notice reference"',
            )
        notices[int(year)] = notice
    term = TermCalendar(
        key=term_reader.get("key", str),
        name=term_reader.label(),
        starts_on=starts_on,
        ends_on=ends_on,
        timezone=timezone,
        weekdays=frozenset(weekdays),
        source=source,
        text=text,
        holiday_notices=notices,
    )
    for reader in root.tables("holidays"):
        first, last = reader.range("starts_on", "ends_on")
        entry = Holiday(reader.label(), first, last, reader.get("provisional", bool, False))
        term.add(entry, reader.where)
    for reader in root.tables("workdays"):
        day = reader.date("on")
        term.add(
            MakeupWorkday(reader.label(), day, reader.get("provisional", bool, False)), reader.where
        )
    for reader in root.tables("periods"):
        key = reader.get("key", str)
        if key in term.periods:
            raise reader.fail("key", f"时段 {key!r} 重复", f"period {key!r} is defined twice")
        first, last = reader.range("starts_on", "ends_on")
        _check_within(term, reader, "starts_on", first)
        _check_within(term, reader, "ends_on", last)
        term.periods[key] = Period(
            key, reader.label(), first, last, reader.get("no_duties", bool, False)
        )
    if not term.school_days():
        raise term_reader.fail("starts_on", "学期内没有上学日", "the term has no school days")
    term.following_break = _break(term, root)
    term.activities = read_activities(root)
    seen: set[tuple[str, Schedule, Selection | None, bool]] = set()
    for reader in root.tables("plan"):
        reader.only(PLAN_KEYS)
        entry = PlanEntry(
            reader.get("type", str),
            _schedule(term, reader),
            reader.where,
            read_selection(reader),
            _cadence(reader, "key_children_every") if "key_children_every" in reader.data else None,
            reader.get("in_break", bool, False),
        )
        identity = (entry.activity_type, entry.schedule, entry.selection, entry.in_break)
        if identity in seen:
            raise reader.fail("type", "与前面的计划项重复", "repeats an earlier plan entry")
        seen.add(identity)
        term.plan.append(entry)
    return term


def shipped_calendars() -> dict[str, Path]:
    """The term calendars shipped in ``guanai/calendars/``, by file stem."""
    folder = resources.files("guanai") / "calendars"
    return {Path(p.name).stem: Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml")}


def load_calendar(
    name_or_path: str | Path,
    add_holidays: Callable[[TermCalendar, Callable[[CalendarEntry], None]], None] | None = None,
    limits: LimitSettings | None = None,
) -> TermCalendar:
    """Load a shipped calendar by name (``2026-autumn``) or a file by path.

    ``add_holidays`` lets plugins add days (the ``register_holidays`` hook). ``limits``
    (default: the defaults of ``[limits]``) bound the file's size and nesting, checked before
    it is parsed.
    """
    limits = limits or LimitSettings()
    shipped = shipped_calendars()
    path = shipped.get(str(name_or_path)) or Path(name_or_path)
    try:
        if path.stat().st_size > limits.toml_kb * 1024:
            raise CalendarError(
                over_limit(
                    Label(f"日历文件 {path} 太大", f"calendar file {path} is too large"),
                    "toml_kb",
                    limits.toml_kb,
                )
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalendarError(
            Label(
                f"找不到日历文件 {path}（内置：{', '.join(sorted(shipped))}）",
                f"calendar file {path} not found (shipped: {', '.join(sorted(shipped))})",
            )
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CalendarError(
            Label(f"无法读取日历文件 {path}：{error}", f"cannot read calendar file {path}: {error}")
        ) from None
    line = toml_too_deep(text, limits.toml_depth)
    if line is not None:
        raise CalendarError(
            over_limit(
                Label(
                    f"日历文件 {path} 第 {line} 行：数组或内联表嵌套太深",
                    f"calendar file {path} line {line}: arrays or inline tables nested too deep",
                ),
                "toml_depth",
                limits.toml_depth,
            )
        )
    calendar = parse_calendar(text, path)
    if add_holidays is not None:
        counter = iter(range(1_000_000))
        add_holidays(calendar, lambda entry: calendar.add(entry, f"plugin holiday {next(counter)}"))
    return calendar
