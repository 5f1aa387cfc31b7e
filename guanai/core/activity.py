"""The vocabulary plugin authors use to describe an activity type.

An activity type says what an activity is (a bilingual title), whom its steps cover (the
school, each class, each child), who acts on each step and by when relative to the activity,
what record completes a step, its default reminders and how it appears in a calendar feed.
The engine turns these declarations into tasks; an activity type never touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from guanai.core.errors import PluginError, RecordError
from guanai.core.i18n import Label
from guanai.core.roster.checks import CellError, calendar_date
from guanai.core.text import UnsafeText, clean_text, half_width


class Coverage(StrEnum):
    """Whom one task of a step is for."""

    SCHOOL = "school"  # one task for the whole school, done by the coordinator
    CLASS = "class"  # one task per class
    CHILD = "child"  # one task per left-behind child


class Role(StrEnum):
    """Who acts on a step. The engine resolves a role to a person per task."""

    COORDINATOR = "coordinator"  # the care office (关爱留守儿童领导小组办公室)
    HEAD_TEACHER = "head_teacher"  # 班主任 of the class (or of the child's class)
    PAIRING_TEACHER = "pairing_teacher"  # 帮扶教师 currently paired with the child
    COUNSELLOR = "counsellor"  # 心理辅导教师 of the school (else the coordinator)
    PLAN_TEACHER = "plan_teacher"  # 任课教师 named on a child's learning-support or individual plan


class Anchor(StrEnum):
    START = "start"
    END = "end"


@dataclass(frozen=True)
class Offset:
    """A day counted in school days from the activity's first or last school day."""

    school_days: int = 0
    anchor: Anchor = Anchor.START


def at_start(school_days: int = 0) -> Offset:
    """``school_days`` school days after (or, if negative, before) the activity's first day."""
    return Offset(school_days, Anchor.START)


def at_end(school_days: int = 0) -> Offset:
    """``school_days`` school days after (or, if negative, before) the activity's last day."""
    return Offset(school_days, Anchor.END)


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # several lines (notes, a summary)
    DATE = "date"
    INTEGER = "integer"  # a count
    BOOLEAN = "boolean"
    CHOICE = "choice"


_TRUE = {"1", "true", "yes", "y", "是", "对"}
_FALSE = {"0", "false", "no", "n", "否", "不"}
MAX_LENGTH = {FieldKind.TEXT: 200, FieldKind.LONG_TEXT: 10_000}
"""A text field's default limit in characters; a field may set its own ``max_length``."""
INTEGER_RANGE = (0, 1_000_000)
"""The whole numbers an integer field accepts: counts (participants, guardians attending)."""
RECORD_DATE_MARGIN = timedelta(days=30)
"""How long after the term's last day a record's date may be (a letter's receipt)."""
_SHOWN_UNKNOWN = 10  # unknown field names named in an error; the rest are counted
MISSING = Label("为必填项，尚未填写", "is required and missing")
DATE_FORMS = "2026-12-01、2026/12/1、2026年12月1日、20261201"


@dataclass(frozen=True)
class RecordDates:
    """The days a record's dates may name: from the day the task's window opens to today.

    Nothing is recorded as done before its task could be done, nor as held tomorrow; and
    never more than :data:`RECORD_DATE_MARGIN` after the term's last day (``closes``).
    """

    opens: date
    today: date
    closes: date

    @classmethod
    def of_task(cls, opens: date, term_ends_on: date, today: date) -> RecordDates:
        return cls(opens, today, term_ends_on + RECORD_DATE_MARGIN)

    def problem(self, day: date) -> Label | None:
        """Why ``day`` may not be recorded, or None."""
        if day < self.opens:
            return Label(
                f"填的 {day} 早于任务开始的日子（{self.opens} 起可记录）",
                f"{day} is before the task's window opens on {self.opens}",
            )
        if day > self.today:
            return Label(
                f"填的 {day} 晚于今天（{self.today}）：还没发生的事不能记录",
                f"{day} is after today ({self.today}): what has not happened is not recorded",
            )
        if day > self.closes:
            days = RECORD_DATE_MARGIN.days
            return Label(
                f"填的 {day} 晚于学期结束后 {days} 天（{self.closes}）",
                f"{day} is more than {days} days after the term ({self.closes})",
            )
        return None


class FieldError(RecordError):
    """One field's value is refused: ``field`` is its name, ``reason`` says why without
    naming it (a form shows the reason beside the field); the message names both."""

    def __init__(self, field: Field, reason: Label) -> None:
        named = field.named
        super().__init__(Label(f"{named.zh}{reason.zh}", f"{named.en} {reason.en}"))
        self.field = field.name
        self.reason = reason


class RecordProblems(RecordError):
    """Everything wrong with a record, found at once: one line naming each problem.

    ``problems`` holds a :class:`FieldError` per refused field and a plain
    :class:`RecordError` for names that are no field of the step.
    """

    def __init__(self, problems: list[RecordError], prefix: Label | None = None) -> None:
        zh = "；".join(p.label.zh for p in problems)
        en = "; ".join(p.label.en for p in problems)
        if prefix is not None:
            zh, en = f"{prefix.zh}{zh}", f"{prefix.en}{en}"
        super().__init__(Label(zh, en))
        self.problems = tuple(problems)

    def reasons(self) -> dict[str, Label]:
        """Each refused field's reason, by field name."""
        return {p.field: p.reason for p in self.problems if isinstance(p, FieldError)}

    def within(self, prefix: Label) -> RecordProblems:
        """The same problems, the message led by ``prefix`` (e.g. 「任务 12：」)."""
        return RecordProblems(list(self.problems), prefix)


class DayOffError(RecordError):
    """A record is valid but dates something on a day off: saved only when confirmed.
    ``fields`` names the date fields."""

    def __init__(self, message: Label, fields: tuple[str, ...]) -> None:
        super().__init__(message)
        self.fields = fields


def _spelling(name: str) -> str:
    """A field name as typed, compared: full-width as ASCII, no spaces, case folded."""
    return "".join(half_width(name).split()).rstrip(":：").casefold()


@dataclass(frozen=True)
class Field:
    """One field of the record that completes a step (e.g. a talk's date, topics, notes).

    ``private`` fields (a talk's notes, a child's health) are stored but never shown in
    feeds, reminders, logs or error messages. A text field holds at most ``max_length``
    characters (default :data:`MAX_LENGTH` of its kind) and no control characters
    (guanai.core.text); only a ``LONG_TEXT`` field may hold line breaks and tabs.
    """

    name: str
    label: Label
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    choices: tuple[str, ...] = ()
    private: bool = False
    max_length: int | None = None

    @property
    def named(self) -> Label:
        """How messages name the field: its label, then its key (「谈心日期」(date))."""
        return Label(f"「{self.label.zh}」({self.name})", f"'{self.label.en}' ({self.name})")

    def parse(self, raw: Any, dates: RecordDates | None = None) -> Any:
        """Return the stored form of ``raw`` or raise :class:`FieldError` naming this field.

        A date is read in the forms a roster accepts
        (:func:`guanai.core.roster.checks.calendar_date`); ``dates``, when given, bounds it
        (the engine passes the task's :class:`RecordDates`).
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise FieldError(self, MISSING)
            return None
        if isinstance(raw, dict | list | tuple | set):  # a JSON object or array: no kind's value
            raise FieldError(self, self._expected())
        try:
            return self._parse(raw, dates)
        except UnsafeText as error:
            raise FieldError(self, error.reason) from None
        except (ValueError, TypeError):
            raise FieldError(self, self._expected()) from None

    def _parse(self, raw: Any, dates: RecordDates | None) -> Any:
        text = raw.strip() if isinstance(raw, str) else raw
        match self.kind:
            case FieldKind.TEXT | FieldKind.LONG_TEXT:
                if not isinstance(text, str):
                    raise TypeError
                text = clean_text(text, multiline=self.kind is FieldKind.LONG_TEXT)
                limit = self.max_length or MAX_LENGTH[self.kind]
                if len(text) > limit:
                    raise FieldError(
                        self, Label(f"超过 {limit} 个字", f"is longer than {limit} characters")
                    )
                return text
            case FieldKind.DATE:
                if isinstance(text, datetime):
                    text = text.date()
                if not isinstance(text, date | str):
                    raise TypeError
                try:
                    value = calendar_date(text)
                except CellError:
                    raise ValueError from None
                problem = dates.problem(value) if dates is not None else None
                if problem is not None:
                    raise FieldError(self, problem)
                return value.isoformat()
            case FieldKind.INTEGER:
                if isinstance(text, bool) or (isinstance(text, float) and not text.is_integer()):
                    raise TypeError
                number = int(text)
                low, high = INTEGER_RANGE
                if not low <= number <= high:
                    raise FieldError(
                        self, Label(f"应在 {low} 至 {high} 之间", f"must be from {low} to {high}")
                    )
                return number
            case FieldKind.BOOLEAN:
                if isinstance(text, bool):
                    return text
                lowered = str(text).lower()
                if lowered in _TRUE | _FALSE:
                    return lowered in _TRUE
                raise ValueError
            case FieldKind.CHOICE:
                if str(text) not in self.choices:
                    raise ValueError
                return str(text)

    def _expected(self) -> Label:
        expected = {
            FieldKind.DATE: Label(f"日期（如 {DATE_FORMS}）", f"a date (e.g. {DATE_FORMS})"),
            FieldKind.INTEGER: Label("整数", "a whole number"),
            FieldKind.BOOLEAN: Label("是/否", "yes/no"),
            FieldKind.CHOICE: Label(
                "以下之一：" + "、".join(self.choices), "one of: " + ", ".join(self.choices)
            ),
        }.get(self.kind, Label("文本", "text"))
        return Label(f"应为{expected.zh}", f"must be {expected.en}")


@dataclass(frozen=True)
class Step:
    """One step of an activity's workflow.

    ``covers`` defaults to the activity type's coverage. A step becomes due on its ``starts``
    day once every step it names in ``after`` (and, as the workflow runs in stages, every step
    of an earlier stage) is done; it is overdue after its ``due`` day. ``spread`` steps are
    per-child duties given concrete days across the window's school days, so that no teacher
    has more than the configured number in one day, and kept out of exam periods.
    """

    name: str
    title: Label
    role: Role
    covers: Coverage | None = None
    starts: Offset = field(default_factory=at_start)
    due: Offset = field(default_factory=at_end)
    after: tuple[str, ...] = ()
    record: tuple[Field, ...] = ()
    spread: bool = False

    def field_named(self, written: str) -> Field | None:
        """The record field ``written`` names: its key or its label in either language
        (full-width letters, spaces, case and a trailing colon aside), else the one field
        whose Chinese label holds it (日期 for 谈心日期); None if none or several do."""
        wanted = _spelling(written)
        for field_ in self.record:
            if wanted in {_spelling(n) for n in (field_.name, field_.label.zh, field_.label.en)}:
                return field_
        holding = [f for f in self.record if len(wanted) > 1 and wanted in _spelling(f.label.zh)]
        return holding[0] if len(holding) == 1 else None

    def validate_record(
        self, data: dict[str, Any], dates: RecordDates | None = None
    ) -> dict[str, Any]:
        """Return the record with every field parsed; raise :class:`RecordProblems` naming
        every problem at once if not valid.

        ``data``'s keys name the fields by key or by label (:meth:`field_named`); ``dates``
        bounds its date fields (see :class:`RecordDates`).
        """
        values: dict[str, Any] = {}
        problems: list[RecordError] = []
        unknown: list[str] = []
        for written, raw in data.items():
            found = self.field_named(str(written))
            if found is None:
                unknown.append(str(written))
            elif found.name in values:
                problems.append(FieldError(found, Label("填了不止一次", "is given more than once")))
            else:
                values[found.name] = raw
        if unknown:
            problems.append(self._unknown(unknown))
        record: dict[str, Any] = {}
        for field_ in self.record:
            try:
                record[field_.name] = field_.parse(values.get(field_.name), dates)
            except FieldError as error:
                problems.append(error)
        if problems:
            raise RecordProblems(problems)
        return record

    def _unknown(self, names: list[str]) -> RecordError:
        shown = "、".join(
            name if len(name) <= 40 else name[:40] + "…" for name in names[:_SHOWN_UNKNOWN]
        )
        if len(names) > _SHOWN_UNKNOWN:
            shown += f" …（+{len(names) - _SHOWN_UNKNOWN}）"
        known = [f.named for f in self.record]
        return RecordError(
            Label(
                f"没有字段「{shown}」（可填：{'、'.join(k.zh for k in known) or '-'}）",
                f"no field {shown} (the fields: {', '.join(k.en for k in known) or '-'})",
            )
        )


@dataclass(frozen=True)
class Selection:
    """Which children an activity covers: those that meet every criterion given.

    ``key_target``: only the key assistance targets (重点帮扶对象, True), only the others
    (False), or either (None). ``care_categories`` and ``left_behind_types`` hold codes of
    :mod:`guanai.core.vocabulary` (``psychological``, ``both``); a child matches one of each
    that is given. ``grades``: the classes' grades (1 for 一年级). A per-class step covers the
    classes with a selected child (all of a selected grade); a school step is not narrowed.
    """

    key_target: bool | None = None
    care_categories: frozenset[str] = frozenset()
    left_behind_types: frozenset[str] = frozenset()
    grades: frozenset[int] = frozenset()

    def matches(
        self, key_target: bool, care_categories: Iterable[str], left_behind: str | None, grade: int
    ) -> bool:
        return (
            (self.key_target is None or key_target is self.key_target)
            and (not self.care_categories or not self.care_categories.isdisjoint(care_categories))
            and (not self.left_behind_types or left_behind in self.left_behind_types)
            and (not self.grades or grade in self.grades)
        )

    @property
    def everyone(self) -> bool:
        return self == EVERYONE

    @property
    def slug(self) -> str:
        """A stable, readable id of the selection, for an activity's key (``key``, ``care=study``)."""
        parts = []
        if self.key_target is not None:
            parts.append("key" if self.key_target else "not-key")
        for name, values in (
            ("care", self.care_categories),
            ("left", self.left_behind_types),
            ("grade", {str(g) for g in self.grades}),
        ):
            if values:
                parts.append(f"{name}=" + "+".join(sorted(values)))
        return ",".join(parts)


EVERYONE = Selection()


@dataclass(frozen=True)
class Reminder:
    """A reminder sent ``days_before`` calendar days before a task's day (0: on the day)."""

    days_before: int = 0


CADENCES = ("month", "half_month")
"""The values of a schedule's ``every``."""


@dataclass(frozen=True)
class Schedule:
    """When an activity happens. Exactly one of the forms is given.

    - ``period``: once, spanning a named period of the term (e.g. ``"welcome_back"``);
    - ``on``: once, on a date;
    - ``every="month"``: once in every month of the term that has school days;
    - ``every="half_month"``: once in each half of such a month (the 1st–15th, the 16th on);
    - ``after``: once, starting ``school_days`` school days after a period ends and lasting
      ``length`` school days;
    - ``between``: once, over the school days of a date range.
    """

    period: str | None = None
    on: date | None = None
    every: str | None = None
    after: str | None = None
    school_days: int = 1
    length: int = 1
    between: tuple[date, date] | None = None

    def __post_init__(self) -> None:
        given = [self.period, self.on, self.every, self.after, self.between]
        if sum(x is not None for x in given) != 1:
            raise ValueError("a schedule needs exactly one of period, on, every, after, between")
        if self.every is not None and self.every not in CADENCES:
            raise ValueError(f"every must be one of {CADENCES}, not {self.every!r}")
        if self.length < 1 or self.school_days < 0:
            raise ValueError("length must be at least 1 and school_days not negative")


class ActivityType:
    """Base class of every activity type. Subclass it and register the subclass.

    Class attributes describe the activity; see docs/plugins.md for a worked example.
    """

    name: ClassVar[str]
    title: ClassVar[Label]
    covers: ClassVar[Coverage] = Coverage.SCHOOL
    steps: ClassVar[tuple[Step, ...]] = ()
    reminders: ClassVar[tuple[Reminder, ...]] = (Reminder(0),)
    selects: ClassVar[Selection] = EVERYONE
    """The children it covers unless a plan entry says otherwise (default: every child)."""
    key_children_every: ClassVar[str | None] = None
    """A closer cadence for the key assistance targets, as a schedule's ``every``: planned
    ``every = "month"``, they get this one instead (a talk every half month), unless the plan
    entry sets ``key_children_every = "month"``. None: the same as every child."""
    case_plan: ClassVar[str | None] = None
    """The kind of case plan whose checks this type runs ("learning": 学习帮扶计划,
    "individual": 个别教育管理方案): its tasks are made by the plan (guanai.core.case_plans),
    one per child and named teacher on each check date, never by a calendar. None: planned by
    calendars, like any type."""
    ledger_sheet: ClassVar[Label | None] = None
    """The ledger's record sheet its records are listed on (家访记录, 会议记录…), one row per
    record with its public fields; types naming the same Chinese title share the sheet. None:
    only counted, on 活动开展."""

    def coverage_of(self, step: Step) -> Coverage:
        return step.covers or self.covers

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def calendar_summary(self, step: Step, subject: str | None) -> Label:
        """How a task appears in a calendar feed. ``subject`` is already masked (``张*``).

        Override to change the wording; never put a record's private fields here.
        """
        base = Label(f"{self.title.zh}: {step.title.zh}", f"{self.title.en}: {step.title.en}")
        if subject:
            return Label(f"{base.zh} · {subject}", f"{base.en} · {subject}")
        return base


_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def stages_of(activity_type: type[ActivityType]) -> dict[str, int]:
    """Each step's stage: 0 without ``after``, else one more than its latest predecessor."""
    stages: dict[str, int] = {}
    for step in activity_type.steps:
        stages[step.name] = 1 + max((stages[a] for a in step.after), default=-1)
    return stages


def validate_activity_type(activity_type: object, plugin: str | None) -> type[ActivityType]:
    """Check a registered activity type; raise :class:`PluginError` naming plugin and fault
    (only the fault for ``plugin=None``: a calendar's type, whose error names file and key)."""

    def fail(zh: str, en: str) -> PluginError:
        name = getattr(activity_type, "name", activity_type)
        if plugin is None:
            return PluginError(Label(zh, en))
        return PluginError(
            Label(
                f"插件 {plugin} 的活动类型 {name}：{zh}",
                f"plugin {plugin}, activity type {name}: {en}",
            )
        )

    if not (isinstance(activity_type, type) and issubclass(activity_type, ActivityType)):
        raise fail("不是 ActivityType 的子类", "is not a subclass of guanai.ActivityType")
    name = getattr(activity_type, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail("name 须为小写字母、数字和下划线", "name must be lowercase letters, digits, _")
    title = getattr(activity_type, "title", None)
    if not isinstance(title, Label) or not title.zh.strip() or not title.en.strip():
        raise fail("缺少中英文标题 title", "title must be a Label with Chinese and English")
    sheet = activity_type.ledger_sheet
    if sheet is not None and (
        not isinstance(sheet, Label) or not sheet.zh.strip() or not sheet.en.strip()
    ):
        raise fail(
            "台账表名 ledger_sheet 须为中英文 Label", "ledger_sheet must be a Label with both"
        )
    if not activity_type.steps:
        raise fail("没有任何步骤", "has no steps")
    _check_case_plan(activity_type, fail)
    seen: set[str] = set()
    for step in activity_type.steps:
        if not isinstance(step, Step):
            raise fail("steps 中有非 Step 对象", "steps must all be guanai.Step")
        if not _NAME.match(step.name) or step.name in seen:
            raise fail(
                f"步骤名 {step.name!r} 无效或重复", f"step name {step.name!r} invalid or repeated"
            )
        if not isinstance(step.role, Role):
            raise fail(f"步骤 {step.name} 缺少角色", f"step {step.name} has no role")
        coverage = step.covers or activity_type.covers
        if step.role is Role.PAIRING_TEACHER and coverage is not Coverage.CHILD:
            raise fail(
                f"步骤 {step.name} 的帮扶教师只能针对每个孩子",
                f"step {step.name}: a pairing teacher acts only on per-child steps",
            )
        if step.starts.anchor is step.due.anchor and step.due.school_days < step.starts.school_days:
            raise fail(
                f"步骤 {step.name} 的截止日早于开始日",
                f"step {step.name} is due before it starts",
            )
        if step.spread and coverage is not Coverage.CHILD:
            raise fail(
                f"步骤 {step.name} 只有每个孩子的步骤可以分散安排",
                f"step {step.name}: only per-child steps can be spread",
            )
        for before in step.after:
            if before not in seen:
                raise fail(
                    f"步骤 {step.name} 依赖未知或后面的步骤 {before}",
                    f"step {step.name} comes after unknown or later step {before}",
                )
            if activity_type().coverage_of(activity_type().step(before)) is not coverage:
                raise fail(
                    f"步骤 {step.name} 只能依赖覆盖范围相同的步骤",
                    f"step {step.name} may only come after steps with the same coverage",
                )
        names = [f.name for f in step.record]
        if len(set(names)) != len(names):
            raise fail(
                f"步骤 {step.name} 的记录字段重复", f"step {step.name} repeats a record field"
            )
        seen.add(step.name)
    return activity_type


CASE_KINDS = ("learning", "individual")
"""The kinds of case plan (``ActivityType.case_plan``): 学习帮扶计划 and 个别教育管理方案."""


def _check_case_plan(
    activity_type: type[ActivityType], fail: Callable[[str, str], Exception]
) -> None:
    """A case plan's type has per-child steps for the plan's teachers; only it has those."""
    kind = activity_type.case_plan
    roles = {step.role for step in activity_type.steps}
    if kind is None:
        if Role.PLAN_TEACHER in roles:
            raise fail(
                "只有帮扶计划的检查类型（case_plan）可以由计划教师负责",
                "only a case plan's type (case_plan) has steps for the plan's teachers",
            )
        return
    if kind not in CASE_KINDS:
        raise fail(
            f"case_plan 须为 {'、'.join(CASE_KINDS)} 之一", f"case_plan must be one of {CASE_KINDS}"
        )
    if (
        activity_type.covers is not Coverage.CHILD
        or roles != {Role.PLAN_TEACHER}
        or any(step.covers not in (None, Coverage.CHILD) for step in activity_type.steps)
    ):
        raise fail(
            "帮扶计划的检查类型只能有针对每个孩子、由计划教师负责的步骤",
            "a case plan's type has only per-child steps for the plan's teachers",
        )
