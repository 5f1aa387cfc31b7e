"""Activity types a coordinator defines in a term calendar, without writing Python.

A calendar's ``[[activities]]`` table declares an activity as a plugin's
:class:`~guanai.core.activity.ActivityType` would: a bilingual title, whom it covers and its
steps. Each step is one of a small vocabulary of kinds (:data:`STEP_KINDS`) that gives it a
title, a window and the fields of its record; a step may rename itself, choose its role and
add fields of its own. The result is an ordinary activity type, validated as a plugin's is, so
it plans, reminds, appears in feeds and ledgers and is recorded like a built-in one.

The definitions travel with the term: planning stores the calendar's text
(``Term.calendar_source``), and every process reads its activity types back from there
(:func:`guanai.core.term_types.registry_in`), so a daemon or a web server knows them without
the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from guanai.core.activity import (
    ActivityType,
    Anchor,
    Coverage,
    Field,
    FieldKind,
    Offset,
    Reminder,
    Role,
    Selection,
    Step,
    at_end,
    at_start,
    validate_activity_type,
)
from guanai.core.calendar_reader import TableReader
from guanai.core.errors import PluginError
from guanai.core.i18n import Label
from guanai.core.vocabulary import CARE_CATEGORIES, LEFT_BEHIND_TYPES


@dataclass(frozen=True)
class StepKind:
    """What a kind of step gives a step that names it: a title, a window, a record."""

    title: Label
    starts: Offset
    due: Offset
    record: tuple[Field, ...]
    meaning: Label


def _notes() -> Field:
    return Field("notes", Label("情况说明", "Notes"), FieldKind.LONG_TEXT, required=False)


STEP_KINDS: dict[str, StepKind] = {
    "prepare": StepKind(
        Label("制定活动方案", "Prepare the plan"),
        at_start(-5),
        at_start(),
        (Field("plan", Label("方案要点", "Outline of the plan"), FieldKind.LONG_TEXT),),
        Label("活动开始前 5 个上学日内制定方案", "a plan written in the 5 school days before"),
    ),
    "hold": StepKind(
        Label("开展活动", "Hold the activity"),
        at_start(),
        at_end(),
        (
            Field("held_on", Label("开展日期", "Date held"), FieldKind.DATE),
            Field("participants", Label("参加人数", "Participants"), FieldKind.INTEGER),
            Field("summary", Label("活动小结", "Summary"), FieldKind.LONG_TEXT),
        ),
        Label(
            "在活动期间开展，记录人数和小结", "held during the activity, with a count and summary"
        ),
    ),
    "confirm": StepKind(
        Label("确认完成", "Confirm it was done"),
        at_start(),
        at_end(),
        (Field("done_on", Label("完成日期", "Date done"), FieldKind.DATE), _notes()),
        Label("确认一封信已寄出或一次电话已打", "a letter sent or a call made, confirmed"),
    ),
    "collect": StepKind(
        Label("收回签字回执", "Collect the signed form"),
        at_end(),
        at_end(3),
        (
            Field("collected_on", Label("收回日期", "Date collected"), FieldKind.DATE),
            Field("signed", Label("已签字", "Signed"), FieldKind.BOOLEAN),
            _notes(),
        ),
        Label(
            "活动结束后 3 个上学日内收回签字回执", "a signed form back within 3 school days after"
        ),
    ),
}
"""The step kinds a calendar's activity may use, by the name its ``kind`` key gives."""

DEFAULT_ROLES = {
    Coverage.SCHOOL: Role.COORDINATOR,
    Coverage.CLASS: Role.HEAD_TEACHER,
    Coverage.CHILD: Role.HEAD_TEACHER,
}
"""Who acts on a step whose ``role`` is not given, by whom the step covers."""

DEFAULT_REMINDERS = (1, 0)
ACTIVITY_KEYS = ("name", "title", "title_en", "covers", "children", "reminders", "steps")
STEP_KEYS = ("kind", "name", "title", "title_en", "role", "covers", "starts", "due", "after")
STEP_KEYS += ("spread", "fields")
FIELD_KEYS = ("name", "label", "label_en", "kind", "required", "choices", "private")
_OFFSET = re.compile(r"^(start|end)\s*(?:([+-])\s*(\d{1,3}))?$")


@dataclass(frozen=True)
class CalendarActivity:
    """An activity type a calendar defines, and where (``activities[2]``), for messages."""

    activity_type: type[ActivityType]
    where: str


E = TypeVar("E", Coverage, Role, FieldKind)


def _choice(reader: TableReader, name: str, kind: type[E], default: E | None = None) -> E:
    values = [member.value for member in kind]
    raw = reader.get(name, str, ... if default is None else default.value)
    if raw not in values:
        raise reader.fail(
            name,
            f"应为以下之一：{'、'.join(values)}，实为 {raw!r}",
            f"must be one of {', '.join(values)}, not {raw!r}",
        )
    return kind(raw)


SELECTION_KEYS = ("key_target", "care", "left_behind", "grades")


def read_selection(parent: TableReader, name: str = "children") -> Selection | None:
    """The ``children`` table of a plan entry or an activity, or None if it has none.

    ``care`` and ``left_behind`` list codes or labels in either language (心理需求,
    ``psychological``); ``grades`` lists whole numbers from 1 to 12.
    """
    if name not in parent.data:
        return None
    reader = TableReader(parent.source, parent.get(name, dict), parent.key(name))
    reader.only(SELECTION_KEYS)
    codes: dict[str, frozenset[str]] = {}
    for key, vocabulary in (("care", CARE_CATEGORIES), ("left_behind", LEFT_BEHIND_TYPES)):
        written = reader.get(key, list, [])
        found = [vocabulary.parse(w) if isinstance(w, str) else None for w in written]
        if None in found:
            bad = written[found.index(None)]
            raise reader.fail(
                key,
                f"{bad!r} 不是{vocabulary.name.zh}（可填：{vocabulary.choices().zh}）",
                f"{bad!r} is not a {vocabulary.name.en} (one of: {vocabulary.choices().en})",
            )
        codes[key] = frozenset(c for c in found if c is not None)
    grades = reader.get("grades", list, [])
    if not all(type(g) is int and 1 <= g <= 12 for g in grades):
        raise reader.fail(
            "grades", "应为 1 至 12 的年级列表", "must be a list of grades from 1 to 12"
        )
    selection = Selection(
        reader.get("key_target", bool, None),
        codes["care"],
        codes["left_behind"],
        frozenset(grades),
    )
    if selection.everyone:
        raise reader.fail("", "没有给出任何条件", "gives no criterion")
    return selection


def _offset(reader: TableReader, name: str, default: Offset) -> Offset:
    raw = reader.get(name, str, None)
    if raw is None:
        return default
    found = _OFFSET.match(raw.strip())
    if found is None:
        raise reader.fail(
            name,
            f'应为 "start"、"end"，或如 "start-5"、"end+3"（上学日），实为 {raw!r}',
            f'must be "start", "end", or like "start-5", "end+3" (school days), not {raw!r}',
        )
    anchor, sign, days = found.groups()
    count = int(days or 0) * (-1 if sign == "-" else 1)
    return Offset(count, Anchor(anchor))


def _field(reader: TableReader) -> Field:
    reader.only(FIELD_KEYS)
    name = reader.get("name", str)
    if not re.match(r"^[a-z][a-z0-9_]{0,39}$", name):
        raise reader.fail(
            "name", "须为小写字母、数字和下划线", "must be lowercase letters, digits, _"
        )
    kind = _choice(reader, "kind", FieldKind, FieldKind.TEXT)
    choices = reader.get("choices", list, [])
    if kind is FieldKind.CHOICE and not (
        choices and all(isinstance(c, str) and c.strip() for c in choices)
    ):
        raise reader.fail("choices", "选择题须列出选项", "a choice field must list its choices")
    if choices and kind is not FieldKind.CHOICE:
        raise reader.fail(
            "choices", '只有 kind = "choice" 才有选项', 'only kind = "choice" has choices'
        )
    return Field(
        name,
        reader.label("label", "label_en"),
        kind,
        required=reader.get("required", bool, True),
        choices=tuple(choices),
        private=reader.get("private", bool, False),
    )


def _step(reader: TableReader, covers: Coverage, before: Step | None) -> Step:
    """A step; unless it says ``after``, it follows the step ``before`` it when both cover the
    same (a plan, then the activity, then its form), as a workflow usually runs."""
    reader.only(STEP_KEYS)
    kind_name = reader.get("kind", str)
    kind = STEP_KINDS.get(kind_name)
    if kind is None:
        raise reader.fail(
            "kind",
            f"未知的步骤类型 {kind_name!r}（可用：{'、'.join(STEP_KINDS)}）",
            f"unknown step kind {kind_name!r} (the kinds: {', '.join(STEP_KINDS)})",
        )
    if ("title" in reader.data) != ("title_en" in reader.data):
        raise reader.fail("title", "title 和 title_en 须同时给出", "give both title and title_en")
    title = reader.label("title", "title_en") if "title" in reader.data else kind.title
    step_covers = _choice(reader, "covers", Coverage, covers)
    fields = kind.record + tuple(_field(f) for f in reader.tables("fields"))
    after_default = [before.name] if before is not None and before.covers is step_covers else []
    after = reader.get("after", list, after_default)
    if not all(isinstance(a, str) for a in after):
        raise reader.fail("after", "应为步骤名的列表", "must be a list of step names")
    return Step(
        reader.get("name", str, kind_name),
        title,
        _choice(reader, "role", Role, DEFAULT_ROLES[step_covers]),
        covers=step_covers,
        starts=_offset(reader, "starts", kind.starts),
        due=_offset(reader, "due", kind.due),
        after=tuple(after),
        record=fields,
        spread=reader.get("spread", bool, step_covers is Coverage.CHILD),
    )


def _activity(reader: TableReader) -> type[ActivityType]:
    reader.only(ACTIVITY_KEYS)
    name = reader.get("name", str)
    covers = _choice(reader, "covers", Coverage, Coverage.SCHOOL)
    steps: list[Step] = []
    for step_reader in reader.tables("steps"):
        steps.append(_step(step_reader, covers, steps[-1] if steps else None))
    if not steps:
        raise reader.fail("steps", "至少需要一个步骤", "needs at least one step")
    days = reader.get("reminders", list, list(DEFAULT_REMINDERS))
    if not all(type(d) is int and 0 <= d <= 60 for d in days):
        raise reader.fail(
            "reminders",
            "应为提前提醒的天数列表，每个 0 至 60",
            "must be a list of days before, each from 0 to 60",
        )
    defined = type(
        "".join(part.capitalize() for part in name.split("_")) or "Defined",
        (ActivityType,),
        {
            "__module__": __name__,
            "__doc__": f"{name}: defined in {reader.source}, {reader.where}.",
            "name": name,
            "title": reader.label("title", "title_en"),
            "covers": covers,
            "steps": tuple(steps),
            "reminders": tuple(Reminder(d) for d in sorted(set(days), reverse=True)),
            "selects": read_selection(reader) or Selection(),
        },
    )
    try:
        return validate_activity_type(defined, None)
    except PluginError as error:
        raise reader.fail("", error.label.zh, error.label.en) from None


def read_activities(root: TableReader) -> dict[str, CalendarActivity]:
    """The activity types of a calendar's ``[[activities]]`` tables, by name."""
    found: dict[str, CalendarActivity] = {}
    for reader in root.tables("activities"):
        activity_type = _activity(reader)
        if activity_type.name in found:
            raise reader.fail(
                "name",
                f"活动类型 {activity_type.name!r} 定义了两次",
                f"activity type {activity_type.name!r} is defined twice",
            )
        found[activity_type.name] = CalendarActivity(activity_type, reader.where)
    return found
