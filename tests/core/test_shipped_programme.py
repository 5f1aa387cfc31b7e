"""The shipped calendars plan the plans' month-by-month programme (工作安排): every entry the
plans name is a [[plan]] entry whose comment quotes them, and becomes activities in its month,
on school days (a break's entries on the break's duty days)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select

from guanai.core.calendar import TermCalendar, load_calendar, shipped_calendars
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.engine import plan_term
from guanai.core.models import Activity, Child, Task, TaskState
from guanai.core.pm import build_plugin_manager

# (term, the plans' words, activity type, the month its tasks fall in; 0: the break's)
PROGRAMME = [
    ("2026-autumn", '欢迎"回家"', "welcome_back", 9),
    ("2026-autumn", "建档", "welcome_back", 9),
    ("2026-autumn", "主题班会", "theme_class_meeting", 9),
    ("2026-autumn", "民族精神月", "national_spirit_month", 9),
    ("2026-autumn", "给国旗敬礼", "flag_salute", 10),
    ("2026-autumn", "成长记录袋", "growth_record_bag", 10),
    ("2026-autumn", "感恩电影", "gratitude_film", 10),
    ("2026-autumn", "环保社会实践", "green_practice", 10),
    ("2026-autumn", "师生结对和班级结对", "class_pairing", 11),
    ("2026-autumn", "自理生活能力比赛", "self_care_contest", 11),
    ("2026-autumn", "读一本好书", "good_book", 11),
    ("2026-autumn", "送温暖", "send_warmth", 12),
    ("2026-autumn", "写信汇报", "child_letter", 12),
    ("2026-autumn", "元旦", "new_year_party", 12),  # 31 December: the party before the holiday
    ("2026-autumn", "寒假关爱", "winter_break_care", 0),
    ("2027-spring", "学雷锋", "lei_feng", 3),
    ("2027-spring", "健康安全德育教育", "health_safety_education", 3),
    ("2027-spring", "关爱活动周", "care_week", 4),
    ("2027-spring", "清明革命传统教育", "qingming_tradition", 4),
    ("2027-spring", "手拉手", "hand_in_hand", 4),
    ("2027-spring", "感恩教育", "gratitude_education", 4),
    ("2027-spring", "写信汇报", "child_letter", 4),
    ("2027-spring", "监护人会", "guardian_meeting", 5),
    ("2027-spring", "趣味体育", "fun_sports", 5),
    ("2027-spring", "防溺水", "safety_education", 5),
    ("2027-spring", "我与父母有话说", "parents_video", 6),
    ("2027-spring", "读名著", "read_classics", 6),
    ("2027-spring", "大家访", "home_visit", 0),
    ("2027-spring", "读好书", "summer_reading", 0),
    ("2027-spring", "暑假安全教育", "safety_education", 7),
    ("2027-spring", "社会实践", "summer_practice", 0),
]
ENTRY = re.compile(
    r"^\[\[plan\]\]\n((?:#[^\n]*\n)+)type = \"(\w+)\"\n(.*?)(?=^\[\[|\Z)", re.M | re.S
)


def entries(term: str) -> list[tuple[str, str, bool]]:
    """(comment, type, in the break) of each [[plan]] entry of a shipped calendar."""
    text = shipped_calendars()[term].read_text(encoding="utf-8")
    return [
        (comment, kind, "in_break = true" in rest) for comment, kind, rest in ENTRY.findall(text)
    ]


@pytest.fixture(scope="module")
def pm():
    return build_plugin_manager(load_entry_points=False)


@pytest.mark.parametrize(("term", "words", "kind", "month"), PROGRAMME)
def test_each_entry_of_the_plans_has_a_plan_entry_naming_it(term, words, kind, month):
    named = [(t, b) for comment, t, b in entries(term) if words in comment]
    assert (kind, month == 0) in named, f"{term}: no [[plan]] of {kind} whose comment says {words}"


def test_one_care_week_a_year():
    weeks = [t for term in ("2026-autumn", "2027-spring") for _, t, _ in entries(term)]
    assert weeks.count("care_week") == 1


def test_the_spring_term_is_provisional_until_the_2027_notice():
    spring = load_calendar("2027-spring")
    assert 2027 not in spring.holiday_notices and spring.provisional_entries


@pytest.mark.parametrize("term", ["2026-autumn", "2027-spring"])
def test_the_programme_becomes_activities_on_its_days(engine: Engine, pm, term: str) -> None:
    calendar: TermCalendar = pm.term_calendar(term)
    with transaction(engine) as session:
        create_demo_school(session, children=60)
        # a child of each care category the programme selects by, so every entry has tasks
        session.execute(select(Child))
        for child in session.scalars(select(Child).order_by(Child.id).limit(2)):
            child.care_categories = ["poverty", "psychological"]
        now = datetime(calendar.starts_on.year, calendar.starts_on.month, 1, tzinfo=UTC)
        summary = plan_term(
            session, calendar, pm.activity_registry(), actor="关爱办", now=now,
            max_per_teacher_per_day=3,
        )  # fmt: skip
        rows = session.execute(
            select(Activity.type, Activity.key, Task.scheduled_on, Task.due_on)
            .join(Task, Task.activity_id == Activity.id)
            .where(Task.state != TaskState.CANCELLED.value)
        ).all()
    assert summary.warnings == [summary.warnings[0]], "only the provisional-holiday warning"
    for words, kind, month in ((w, k, m) for t, w, k, m in PROGRAMME if t == term):
        days = [(key, day) for t, key, day, _ in rows if t == kind]
        in_break = [day for key, day in days if "@break:" in key]
        in_term = [day for key, day in days if "@break:" not in key]
        if month == 0:
            assert in_break, f"{words}: nothing planned in the break"
            assert all(calendar.is_duty_day(d) and not calendar.is_school_day(d) for d in in_break)
        else:
            assert any(d.month == month for d in in_term), f"{words}: nothing in month {month}"
            assert all(calendar.is_school_day(d) for d in in_term), words
    assert max(due for *_, due in rows) <= calendar.duty_ends_on
    assert min(day for _, _, day, _ in rows) >= date(calendar.starts_on.year, 1, 1)
