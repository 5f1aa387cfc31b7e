"""The coordinators' weekly summary: talks held against due, by class, counted in SQL.

Due (应谈) counts the talk tasks scheduled up to today and not cancelled; held (已谈) the
done ones among them. "This month" counts the talks of the current month's talk activity
(the whole month's plan, so the figure grows through the month).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import and_, false, select
from sqlalchemy.orm import Session

from guanai.core.i18n import Label
from guanai.core.ledgers.figures import count_if
from guanai.core.ledgers.talks import TALK
from guanai.core.models import Activity, School, SchoolClass, Task, TaskState, Term
from guanai.core.reminders.message import Content, Section

DONE = TaskState.DONE.value


def _line(name: Label, month: tuple[int, int], term: tuple[int, int]) -> Label:
    return Label(
        f"{name.zh}：本月 {month[0]}/{month[1]} · 学期累计 {term[0]}/{term[1]}",
        f"{name.en}: this month {month[0]}/{month[1]} · term so far {term[0]}/{term[1]}",
    )


def weekly_summaries(
    session: Session, term: Term, schools: Sequence[int], today: date
) -> dict[int, Content]:
    """Per school: a line per class and one for the school, as "held/due"."""
    month_start = today.replace(day=1)
    so_far = Task.scheduled_on <= today
    this_month = and_(Activity.starts_on >= month_start, Activity.starts_on <= today)
    query = (
        select(
            Activity.school_id,
            SchoolClass.grade,
            SchoolClass.name,
            count_if(this_month & (Task.state == DONE)),
            count_if(this_month),
            count_if(so_far & (Task.state == DONE)),
            count_if(so_far),
        )
        .join(Activity, Activity.id == Task.activity_id)
        .outerjoin(SchoolClass, SchoolClass.id == Task.class_id)
        .where(
            Activity.term_id == term.id,
            Activity.type == TALK,
            Activity.school_id.in_(schools),
            Activity.cancelled == false(),
            Task.state != TaskState.CANCELLED.value,
        )
        .group_by(Activity.school_id, SchoolClass.id, SchoolClass.grade, SchoolClass.name)
        .order_by(Activity.school_id, SchoolClass.grade, SchoolClass.name)
    )
    lines: dict[int, list[Label]] = defaultdict(list)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for school, _grade, klass, *counts in session.execute(query):
        numbers = [int(n) for n in counts]
        name = Label(klass, klass) if klass else Label("未分班", "no class")
        lines[school].append(_line(name, (numbers[0], numbers[1]), (numbers[2], numbers[3])))
        totals[school] = [a + b for a, b in zip(totals[school], numbers, strict=True)]
    names = {
        row.id: row.name
        for row in session.execute(select(School.id, School.name).where(School.id.in_(schools)))
    }
    monday = today - timedelta(days=today.isoweekday() - 1)
    summaries = {}
    for school in schools:
        total = totals[school]
        whole = _line(Label("全校", "whole school"), (total[0], total[1]), (total[2], total[3]))
        summaries[school] = Content(
            Label(
                f"关爱周报：{names.get(school, '')} {monday.month}月{monday.day}日这周的谈心",
                f"Weekly summary: talks at {names.get(school, '')}, week of {monday:%d %b}",
            ),
            (
                Section(Label("全校（已谈/应谈）", "Whole school (held/due)"), (whole,)),
                Section(Label("按班级（已谈/应谈）", "By class (held/due)"), tuple(lines[school])),
            ),
        )
    return summaries
