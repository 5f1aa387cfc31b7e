"""A calendar's own activity types ([[activities]]) and selections of children (children = …):
what they become, and every mistake reported by file and key before anything is planned."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanai.core.activity import Anchor, Coverage, FieldKind, Role, Selection
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import parse_calendar
from guanai.core.errors import CalendarError
from guanai.core.pm import build_plugin_manager

TERM = """
[term]
key = "test"
name = "测试学期"
name_en = "Test term"
starts_on = 2026-09-01
ends_on = 2026-10-30
"""

VISIT = """
[[activities]]
name = "guardian_letter"
title = "致监护人的一封信"
title_en = "Letter to guardians"
covers = "child"
children = { key_target = true, left_behind = ["父母均外出"] }
reminders = [3, 0]

[[activities.steps]]
kind = "confirm"
title = "寄出信件"
title_en = "Send the letter"

[[activities.steps]]
kind = "collect"
role = "pairing_teacher"

[[activities.steps.fields]]
name = "mood"
label = "孩子情绪"
label_en = "The child's mood"
kind = "choice"
choices = ["好", "一般", "差"]
private = true
"""


def parse(tmp_path: Path, text: str):
    return parse_calendar(TERM + text, tmp_path / "term.toml")


def error_of(tmp_path: Path, text: str) -> CalendarError:
    with pytest.raises(CalendarError) as caught:
        parse(tmp_path, text)
    return caught.value


def test_an_activity_becomes_a_type_with_the_kinds_steps_and_its_own(tmp_path: Path) -> None:
    defined = parse(tmp_path, VISIT).activities["guardian_letter"]
    kind = defined.activity_type
    assert defined.where == "activities[0]"
    assert (kind.title.zh, kind.title.en, kind.covers) == (
        "致监护人的一封信",
        "Letter to guardians",
        Coverage.CHILD,
    )
    assert kind.selects == Selection(key_target=True, left_behind_types=frozenset({"both"}))
    assert [r.days_before for r in kind.reminders] == [3, 0]
    send, collect = kind.steps
    assert (send.name, send.title.zh, send.role, send.spread) == (
        "confirm",
        "寄出信件",
        Role.HEAD_TEACHER,
        True,
    )
    assert [f.name for f in send.record] == ["done_on", "notes"]
    assert collect.after == ("confirm",), "a step follows the one before it"
    assert (collect.starts.anchor, collect.due.anchor, collect.due.school_days) == (
        Anchor.END,
        Anchor.END,
        3,
    )
    mood = collect.record[-1]
    assert (mood.kind, mood.choices, mood.private) == (FieldKind.CHOICE, ("好", "一般", "差"), True)


def test_an_offset_counts_school_days_from_either_end(tmp_path: Path) -> None:
    text = VISIT.replace('kind = "confirm"', 'kind = "confirm"\nstarts = "start-2"\ndue = "end+1"')
    send = parse(tmp_path, text).activities["guardian_letter"].activity_type.steps[0]
    assert (send.starts.school_days, send.starts.anchor) == (-2, Anchor.START)
    assert (send.due.school_days, send.due.anchor) == (1, Anchor.END)


@pytest.mark.parametrize(
    ("old", "new", "key", "en"),
    [
        ('kind = "confirm"', 'kind = "party"', "activities[0].steps[0].kind", "unknown step kind"),
        ('covers = "child"', 'covers = "town"', "activities[0].covers", "must be one of"),
        ('role = "pairing_teacher"', 'role = "mayor"', "activities[0].steps[1].role", "one of"),
        ('kind = "confirm"', 'kind = "confirm"\nstarts = "monday"', "steps[0].starts", '"start-5"'),
        ('kind = "confirm"', 'kind = "confirm"\ncolour = 1', "steps[0].colour", "unknown key"),
        ('title_en = "Send the letter"', "", "steps[0].title", "give both title and title_en"),
        ('["父母均外出"]', '["爷爷外出"]', "activities[0].children.left_behind", "'爷爷外出'"),
        ("reminders = [3, 0]", "reminders = [-1]", "activities[0].reminders", "0 to 60"),
        ('name = "guardian_letter"', 'name = "Guardian-Letter"', "activities[0]", "lowercase"),
        ('choices = ["好", "一般", "差"]', "", "steps[1].fields[0].choices", "must list"),
        (
            'kind = "collect"',
            'kind = "collect"\ncovers = "school"',
            "activities[0]",
            "step collect: a pairing teacher",
        ),
    ],
)
def test_a_mistake_names_the_file_and_the_key(
    tmp_path: Path, old: str, new: str, key: str, en: str
) -> None:
    assert old in VISIT
    error = error_of(tmp_path, VISIT.replace(old, new, 1))
    assert str(tmp_path / "term.toml") in error.label.en and key in error.label.en, error.label.en
    assert en in error.label.en, error.label.en
    assert key in error.label.zh and "日历文件" in error.label.zh


def test_an_activity_may_not_be_defined_twice(tmp_path: Path) -> None:
    error = error_of(tmp_path, VISIT + VISIT.replace("[[activities]]\n", "[[activities]]\n", 1))
    assert "activities[1].name" in error.label.en and "defined twice" in error.label.en


def test_a_calendar_may_not_take_a_plugins_name(tmp_path: Path) -> None:
    registry: ActivityRegistry = build_plugin_manager(load_entry_points=False).activity_registry()
    calendar = parse(tmp_path, VISIT.replace('name = "guardian_letter"', 'name = "talk"'))
    with pytest.raises(CalendarError) as caught:
        registry.including(calendar.key, calendar.activities, calendar.source)
    label = caught.value.label
    assert "activities[0].name" in label.en and "guanai.plugins.talks" in label.en
    assert "已由插件 guanai.plugins.talks 注册" in label.zh


@pytest.mark.parametrize(
    ("children", "selection"),
    [
        ("{ key_target = false }", Selection(key_target=False)),
        ('{ care = ["心理需求", "poverty"] }', Selection(care_categories=frozenset({"psychological", "poverty"}))),
        ("{ grades = [5, 6] }", Selection(grades=frozenset({5, 6}))),
    ],
)  # fmt: skip
def test_a_plan_entry_selects_children(tmp_path: Path, children: str, selection: Selection) -> None:
    entry = parse(tmp_path, f'[[plan]]\ntype = "talk"\nevery = "month"\nchildren = {children}\n')
    assert entry.plan[0].selection == selection


@pytest.mark.parametrize(
    ("entry", "key", "en"),
    [
        ("children = {}", "plan[0].children", "gives no criterion"),
        ("children = { grades = [0] }", "plan[0].children.grades", "1 to 12"),
        ('children = { care = ["勇敢"] }', "plan[0].children.care", "care categories"),
        ("children = { age = 9 }", "plan[0].children.age", "unknown key"),
        ('key_children_every = "week"', "plan[0].key_children_every", '"half_month"'),
        ('evry = "month"', "plan[0].evry", "unknown key"),
    ],
)
def test_a_bad_plan_entry_names_its_key(tmp_path: Path, entry: str, key: str, en: str) -> None:
    error = error_of(tmp_path, f'[[plan]]\ntype = "talk"\nevery = "month"\n{entry}\n')
    assert key in error.label.en and en in error.label.en, error.label.en


def test_the_same_schedule_for_two_selections_is_two_entries(tmp_path: Path) -> None:
    text = "".join(
        f'[[plan]]\ntype = "home_visit"\nbetween = [2026-09-07, 2026-09-18]\n{extra}\n'
        for extra in ("", "children = { key_target = true }")
    )
    assert len(parse(tmp_path, text).plan) == 2
    error = error_of(tmp_path, text + text)
    assert "repeats an earlier plan entry" in error.label.en
