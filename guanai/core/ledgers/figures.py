"""The summary's figures, each counted by the database with GROUP BY (never row by row).

Definitions (docs/ledgers.md repeats them for users):

- enrolled (在读): children whose enrolment status is 在读; every rate is over them;
- record complete (建档完整): every required roster column filled (学号, 姓名, 性别, 出生日期,
  班级, 留守类型, 监护人姓名, 监护人关系, 监护人电话); record rate (建档率) = complete / enrolled;
- five clears (五个清楚): all five checked (基本情况、父母务工情况、监护人情况、学习情况、思想情感),
  an inspection item of its own; five-clears rate (五清率) = those / enrolled;
- paired (已结对): a current pairing with a teacher; pairing rate (结对率) = paired / enrolled;
- talks due (应谈心) = the term's talk tasks of the months begun by the ledger's day (a half
  month counts once it has begun) that are not cancelled: the head teacher's and the pairing
  teacher's, and the welcome-back week's first talks; talks held (已谈心) = those done;
- key assistance targets (重点帮扶对象): enrolled children marked as such.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, select
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.ledgers.scope import Scope
from guanai.core.ledgers.talks import is_talk
from guanai.core.models import Activity, Child, Pairing, SchoolClass, Task, TaskState
from guanai.core.roster.cards import (
    five_clears_complete,
    pairing_teacher,
    record_complete,
    with_card,
)
from guanai.core.sql_dates import first_of_month

ENROLLED = Child.enrolment_status == "enrolled"


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet ``condition`` (0, never NULL, for an empty group)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class ClassFigures:
    school_id: int
    class_name: str
    enrolled: int
    complete: int
    five_clears: int
    paired: int
    key_targets: int


@dataclass(frozen=True)
class TalkFigures:
    school_id: int
    month: date  # the first day of the month
    class_name: str | None
    due: int
    held: int


def class_figures(session: Session, scope: Scope) -> list[ClassFigures]:
    """Per class: enrolled children, complete records, five clears, paired children, key
    targets."""
    query = (
        with_card(
            select(
                Child.school_id,
                SchoolClass.name,
                func.count(Child.id),
                count_if(record_complete()),
                count_if(five_clears_complete()),
                count_if(Pairing.id.is_not(None)),
                count_if(Child.key_target),
            )
        )
        .where(ENROLLED, scope.schools(Child.school_id))
        .group_by(Child.school_id, SchoolClass.id, SchoolClass.grade, SchoolClass.name)
        .order_by(Child.school_id, SchoolClass.grade, SchoolClass.name)
    )
    return [ClassFigures(*_ints(row)) for row in session.execute(query)]


def talk_figures(
    session: Session, scope: Scope, registry: ActivityRegistry, today: date
) -> list[TalkFigures]:
    """Per school, month and class: talk tasks due (begun by ``today``, not cancelled) and
    held (done). A month still to come is not due yet, so the rate does not read low until
    the term ends."""
    if scope.term is None:
        return []
    month = first_of_month(Activity.starts_on)
    query = (
        select(
            Activity.school_id,
            month,
            SchoolClass.name,
            func.count(Task.id),
            count_if(Task.state == TaskState.DONE.value),
        )
        .join(Activity, Activity.id == Task.activity_id)
        .outerjoin(SchoolClass, SchoolClass.id == Task.class_id)
        .where(
            Activity.term_id == scope.term.id,
            is_talk(registry),
            Activity.starts_on <= today,
            Activity.cancelled == false(),
            scope.schools(Activity.school_id),
            Task.state != TaskState.CANCELLED.value,
        )
        .group_by(Activity.school_id, month, SchoolClass.id, SchoolClass.grade, SchoolClass.name)
        .order_by(Activity.school_id, month, SchoolClass.grade, SchoolClass.name)
    )
    return [
        TalkFigures(school, month, name, int(due or 0), int(held or 0))
        for school, month, name, due, held in session.execute(query)
    ]


def key_targets(session: Session, scope: Scope) -> Iterator[tuple[Any, ...]]:
    """Enrolled key assistance targets: (school id, class, student no, name, care categories,
    has an individual plan, pairing teacher's name), school by school, class by class."""
    query = (
        with_card(
            select(
                Child.school_id,
                SchoolClass.name,
                Child.student_no,
                Child.name,
                Child.care_categories,
                and_(Child.individual_plan.is_not(None), Child.individual_plan != ""),
                pairing_teacher.name,
            )
        )
        .where(ENROLLED, Child.key_target, scope.schools(Child.school_id))
        .order_by(Child.school_id, SchoolClass.grade, SchoolClass.name, Child.student_no)
    )
    yield from session.execute(query.execution_options(yield_per=5_000))


def _ints(row: Any) -> tuple[Any, ...]:
    school_id, name, *counts = row
    return (school_id, name, *(int(count or 0) for count in counts))
