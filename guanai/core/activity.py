"""The vocabulary plugin authors use to describe an activity type.

An activity type says what an activity is (a bilingual title), whom its steps cover (the
school, each class, each child), who acts on each step and by when relative to the activity,
what record completes a step, its default reminders and how it appears in a calendar feed.
The engine turns these declarations into tasks; an activity type never touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from guanai.core.errors import PluginError, RecordError
from guanai.core.i18n import Label
from guanai.core.text import UnsafeText, clean_text


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
_SHOWN_UNKNOWN = 10  # unknown field names named in an error; the rest are counted


@dataclass(frozen=True)
class RecordDates:
    """The days a record's dates may name: the term's reach, and never after today.

    From :data:`RECORD_DATE_MARGIN` before the term's first day (a home visit in the week
    before it) to the margin after its last (a letter's receipt in the holiday after it),
    but not after today: a talk recorded as held tomorrow has not been held.
    """

    earliest: date
    latest: date

    @classmethod
    def of_term(cls, starts_on: date, ends_on: date, today: date) -> RecordDates:
        return cls(starts_on - RECORD_DATE_MARGIN, min(ends_on + RECORD_DATE_MARGIN, today))


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

    def parse(self, raw: Any, dates: RecordDates | None = None) -> Any:
        """Return the stored form of ``raw`` or raise :class:`RecordError` naming this field.

        ``dates``, when given, bounds a date field (the engine passes the task's term).
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise RecordError(
                    Label("缺少必填项「{f}」", "required field '{f}' is missing").format(
                        f=self.name
                    )
                )
            return None
        if isinstance(raw, dict | list | tuple | set):  # a JSON object or array: no kind's value
            raise RecordError(self._invalid())
        try:
            return self._parse(raw, dates)
        except UnsafeText as error:
            raise RecordError(self._named(error.reason)) from None
        except (ValueError, TypeError):
            raise RecordError(self._invalid()) from None

    def _parse(self, raw: Any, dates: RecordDates | None) -> Any:
        text = raw.strip() if isinstance(raw, str) else raw
        match self.kind:
            case FieldKind.TEXT | FieldKind.LONG_TEXT:
                if not isinstance(text, str):
                    raise TypeError
                text = clean_text(text, multiline=self.kind is FieldKind.LONG_TEXT)
                limit = self.max_length or MAX_LENGTH[self.kind]
                if len(text) > limit:
                    raise RecordError(
                        self._named(
                            Label(f"超过 {limit} 个字", f"is longer than {limit} characters")
                        )
                    )
                return text
            case FieldKind.DATE:
                if isinstance(text, datetime):
                    text = text.date()
                if not isinstance(text, date | str):
                    raise TypeError
                value = text if isinstance(text, date) else date.fromisoformat(text)
                if dates is not None and not dates.earliest <= value <= dates.latest:
                    raise RecordError(self._out_of(dates))
                return value.isoformat()
            case FieldKind.INTEGER:
                if isinstance(text, bool) or (isinstance(text, float) and not text.is_integer()):
                    raise TypeError
                number = int(text)
                low, high = INTEGER_RANGE
                if not low <= number <= high:
                    raise RecordError(
                        self._named(
                            Label(f"应在 {low} 至 {high} 之间", f"must be from {low} to {high}")
                        )
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

    def _named(self, reason: Label) -> Label:
        return Label(f"字段「{self.name}」{reason.zh}", f"field '{self.name}' {reason.en}")

    def _out_of(self, dates: RecordDates) -> Label:
        days = RECORD_DATE_MARGIN.days
        return self._named(
            Label(
                f"应在 {dates.earliest} 至 {dates.latest} 之间"
                f"（学期前后 {days} 天内，且不晚于今天）",
                f"must be from {dates.earliest} to {dates.latest} "
                f"(within {days} days of the term, and not after today)",
            )
        )

    def _invalid(self) -> Label:
        expected = {
            FieldKind.DATE: Label("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
            FieldKind.INTEGER: Label("整数", "a whole number"),
            FieldKind.BOOLEAN: Label("是/否", "yes/no"),
            FieldKind.CHOICE: Label(
                "以下之一：" + "、".join(self.choices), "one of: " + ", ".join(self.choices)
            ),
        }.get(self.kind, Label("文本", "text"))
        return Label(
            f"字段「{self.name}」应为{expected.zh}", f"field '{self.name}' must be {expected.en}"
        )


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

    def validate_record(
        self, data: dict[str, Any], dates: RecordDates | None = None
    ) -> dict[str, Any]:
        """Return the record with every field parsed; raise :class:`RecordError` if not valid.

        ``dates`` bounds its date fields (see :class:`RecordDates`).
        """
        known = {f.name for f in self.record}
        unknown = sorted(set(data) - known)
        if unknown:
            shown = ", ".join(
                name if len(name) <= 40 else name[:40] + "…" for name in unknown[:_SHOWN_UNKNOWN]
            )
            if len(unknown) > _SHOWN_UNKNOWN:
                shown += f" … (+{len(unknown) - _SHOWN_UNKNOWN})"
            raise RecordError(
                Label("未知字段：{u}（可用：{k}）", "unknown field(s): {u} (expected: {k})").format(
                    u=shown, k=", ".join(sorted(known)) or "-"
                )
            )
        return {f.name: f.parse(data.get(f.name), dates) for f in self.record}


@dataclass(frozen=True)
class Reminder:
    """A reminder sent ``days_before`` calendar days before a task's day (0: on the day)."""

    days_before: int = 0


@dataclass(frozen=True)
class Schedule:
    """When an activity happens. Exactly one of the forms is given.

    - ``period``: once, spanning a named period of the term (e.g. ``"welcome_back"``);
    - ``on``: once, on a date;
    - ``every="month"``: once in every month of the term that has school days;
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
        if self.every is not None and self.every != "month":
            raise ValueError(f"every must be 'month', not {self.every!r}")
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


def validate_activity_type(activity_type: object, plugin: str) -> type[ActivityType]:
    """Check a registered activity type; raise :class:`PluginError` naming plugin and fault."""

    def fail(zh: str, en: str) -> PluginError:
        name = getattr(activity_type, "name", activity_type)
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
    if not activity_type.steps:
        raise fail("没有任何步骤", "has no steps")
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
