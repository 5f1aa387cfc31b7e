"""The break after the term ([break]) and the activities planned in it (in_break = true): placed
on the break's duty days under the daily cap, ticked, reminded and recorded like the term's."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar, parse_calendar
from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.engine import complete, plan_term, tick
from guanai.core.errors import CalendarError
from guanai.core.models import Activity, OutboxMessage, Task, TaskState
from guanai.core.pm import build_plugin_manager
from guanai.core.timezone import SCHOOL_TIMEZONE

CAP = 3
TERM = """
[term]
key = "summer-test"
name = "测试学期"
name_en = "Test term"
starts_on = 2027-06-01
ends_on = 2027-07-09

[holiday_notices]
2027 = "test notice"

[[holidays]]
name = "建校日"
name_en = "Founding day"
starts_on = 2027-07-21
ends_on = 2027-07-21

[break]
name = "暑假"
name_en = "Summer break"
starts_on = 2027-07-10
ends_on = 2027-08-31
"""
VISITS = """
[[plan]]
# 暑期大家访
type = "home_visit"
in_break = true
between = [2027-07-12, 2027-07-30]
"""


@pytest.fixture(scope="module")
def registry() -> ActivityRegistry:
    return build_plugin_manager(load_entry_points=False).activity_registry()


def calendar(tmp_path: Path, plan: str = VISITS) -> TermCalendar:
    return parse_calendar(TERM + plan, tmp_path / "term.toml")


def planned(engine: Engine, term: TermCalendar, registry: ActivityRegistry, children: int) -> int:
    with transaction(engine) as session:
        school = create_demo_school(session, children=children)
        plan_term(
            session,
            term,
            registry,
            actor="关爱办",
            now=datetime(2027, 5, 20, tzinfo=UTC),
            max_per_teacher_per_day=CAP,
        )
    return school


def test_the_break_has_duty_days_of_its_own(tmp_path: Path) -> None:
    term = calendar(tmp_path)
    assert term.following_break is not None and term.following_break.name.en == "Summer break"
    assert term.duty_ends_on == date(2027, 8, 31)
    assert term.is_duty_day(date(2027, 7, 12)) and not term.is_school_day(date(2027, 7, 12))
    assert not term.is_duty_day(date(2027, 7, 17)), "a Saturday"
    assert not term.is_duty_day(date(2027, 7, 21)), "a holiday in the break"
    assert term.plan[0].in_break


def test_break_visits_fall_on_duty_days_under_the_daily_cap(tmp_path, engine, registry) -> None:
    term = calendar(tmp_path)
    planned(engine, term, registry, children=60)
    with transaction(engine) as session:
        rows = session.execute(
            select(Task.assignee_id, Task.scheduled_on, Task.due_on, Activity.key)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.type == "home_visit")
        ).all()
    assert len(rows) == 60
    assert {key for *_, key in rows} == {"home_visit@break:between:2027-07-12"}
    assert {due for _, _, due, _ in rows} == {date(2027, 7, 30)}
    days = {day for _, day, _, _ in rows}
    assert all(term.is_duty_day(day) and not term.is_school_day(day) for day in days)
    assert date(2027, 7, 21) not in days
    per_day = Counter((teacher, day) for teacher, day, _, _ in rows)
    assert max(per_day.values()) <= CAP


def test_a_break_task_is_ticked_reminded_and_recorded(tmp_path, engine, registry) -> None:
    planned(engine, calendar(tmp_path), registry, children=12)
    with transaction(engine) as session:
        first = session.scalars(select(Task).order_by(Task.scheduled_on, Task.id)).first()
        assert first is not None
        day, task_id = first.scheduled_on, first.id
    morning = datetime.combine(day, time(9), SCHOOL_TIMEZONE)
    with transaction(engine) as session:
        report = tick(session, morning, registry, Settings())
        state = session.get_one(Task, task_id).state
        digests = session.scalars(select(OutboxMessage.kind).distinct()).all()
    assert report.became_due > 0 and state == TaskState.DUE.value
    assert "digest" in digests, "a duty day of the break has its morning digest"
    record = {"date": day.isoformat(), "visited": "监护人", "findings": "生活正常"}
    with transaction(engine) as session:  # no confirmation asked: a duty day is no day off
        complete(session, registry, task_id, record, actor="T", now=morning)
        assert session.get_one(Task, task_id).state == TaskState.DONE.value


@pytest.mark.parametrize(
    ("text", "key", "en"),
    [
        (TERM.replace("starts_on = 2027-07-10", "starts_on = 2027-07-09"), "break.starts_on", "after the term ends"),
        (TERM + "[break]\n", "", "break"),
        (TERM.split("[break]")[0] + VISITS, "plan[0].in_break", "names no [break]"),
        (TERM + '[[plan]]\ntype = "talk"\nin_break = true\nafter = "x"\n', "plan[0].after", "on, every or between"),
        (TERM + '[[plan]]\ntype = "talk"\nin_break = true\non = 2027-07-17\n', "plan[0].on", "not a duty day of the break"),
        (TERM + '[[plan]]\ntype = "talk"\nin_break = true\nbetween = [2027-07-01, 2027-07-20]\n', "plan[0].between", "outside the term"),
        (TERM.replace('name_en = "Summer break"', 'name_en = "Summer break"\nlength = 3'), "break.length", "unknown key"),
    ],
)  # fmt: skip
def test_a_bad_break_names_its_key(tmp_path: Path, text: str, key: str, en: str) -> None:
    with pytest.raises(CalendarError) as caught:
        parse_calendar(text, tmp_path / "term.toml")
    assert key in caught.value.label.en and en in caught.value.label.en, caught.value.label.en
