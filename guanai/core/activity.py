"""The vocabulary plugin authors use to describe an activity type.

An activity type says what an activity is (a bilingual title), whom its steps cover (the
school, each class, each child), who acts on each step and by when relative to the activity,
what record completes a step, its default reminders and how it appears in a calendar feed.
The engine turns these declarations into tasks; an activity type never touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from guanai.core.errors import PluginError, RecordError
from guanai.core.i18n import Label


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
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"


_TRUE = {"1", "true", "yes", "y", "是", "对"}
_FALSE = {"0", "false", "no", "n", "否", "不"}


@dataclass(frozen=True)
class Field:
    """One field of the record that completes a step (e.g. a talk's date, topics, notes).

    ``private`` fields (a talk's notes, a child's health) are stored but never shown in
    feeds, reminders, logs or error messages.
    """

    name: str
    label: Label
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    choices: tuple[str, ...] = ()
    private: bool = False

    def parse(self, raw: Any) -> Any:
        """Return the stored form of ``raw`` or raise :class:`RecordError` naming this field."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise RecordError(
                    Label("缺少必填项「{f}」", "required field '{f}' is missing").format(
                        f=self.name
                    )
                )
            return None
        try:
            return self._parse(raw)
        except (ValueError, TypeError):
            raise RecordError(self._invalid()) from None

    def _parse(self, raw: Any) -> Any:
        text = raw.strip() if isinstance(raw, str) else raw
        match self.kind:
            case FieldKind.TEXT | FieldKind.LONG_TEXT:
                return str(text)
            case FieldKind.DATE:
                value = text if isinstance(text, date) else date.fromisoformat(str(text))
                return value.isoformat()
            case FieldKind.INTEGER:
                if isinstance(text, bool):
                    raise TypeError
                return int(text)
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

    def validate_record(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return the record with every field parsed; raise :class:`RecordError` if not valid."""
        known = {f.name for f in self.record}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RecordError(
                Label("未知字段：{u}（可用：{k}）", "unknown field(s): {u} (expected: {k})").format(
                    u=", ".join(unknown), k=", ".join(sorted(known)) or "-"
                )
            )
        return {f.name: f.parse(data.get(f.name)) for f in self.record}


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
