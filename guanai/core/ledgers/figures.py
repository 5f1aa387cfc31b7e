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
- key assistance targets (重点帮扶对象): enrolled children marked as such;
- home-school contact and support by month and class (家校联系与帮扶): the records each record
  sheet lists (家访记录, 电话联系记录, …), counted by the month of their activity.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, null, or_, select
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.ledgers.record_sheets import RecordSheet
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
    class_name: str | None  # None: the whole school
    enrolled: int
    complete: int
    five_clears: int
    paired: int
    key_targets: int


@dataclass(frozen=True)
class TalkFigures:
    school_id: int
    month: date | None  # the first day of the month (None: the whole term)
    class_name: str | None
    due: int
    held: int


def class_figures(session: Session, scope: Scope, *, per_class: bool = True) -> list[ClassFigures]:
    """Per class (or, not ``per_class``, per school, the class name empty): enrolled children,
    complete records, five clears, paired children, key targets."""
    groups = _groups(Child.school_id, per_class=per_class)
    query = (
        with_card(
            select(
                Child.school_id,
                _class_name(per_class),
                func.count(Child.id),
                count_if(record_complete()),
                count_if(five_clears_complete()),
                count_if(Pairing.id.is_not(None)),
                count_if(Child.key_target),
            )
        )
        .where(ENROLLED, scope.schools(Child.school_id))
        .group_by(*groups)
        .order_by(*_order(groups, per_class=per_class))
    )
    return [ClassFigures(*_ints(row)) for row in session.execute(query)]


def talk_figures(
    session: Session,
    scope: Scope,
    registry: ActivityRegistry,
    today: date,
    *,
    per_class: bool = True,
    per_month: bool = True,
) -> list[TalkFigures]:
    """Per school, month and class (each of the last two unless asked not to): talk tasks due
    (begun by ``today``, not cancelled) and held (done). A month still to come is not due
    yet, so the rate does not read low until the term ends."""
    if scope.term is None:
        return []
    groups = _groups(Activity.school_id, per_class=per_class, per_month=per_month)
    query = (
        select(
            Activity.school_id,
            _month(per_month),
            _class_name(per_class),
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
        .group_by(*groups)
        .order_by(*_order(groups, per_class=per_class))
    )
    return [
        TalkFigures(school, month, name, int(due or 0), int(held or 0))
        for school, month, name, due, held in session.execute(query)
    ]


@dataclass(frozen=True)
class ContactFigures:
    school_id: int
    month: date | None  # the first day of the month (None: the whole term)
    class_name: str | None
    records: tuple[int, ...]  # records done, one count per record sheet asked for


def contact_figures(
    session: Session,
    scope: Scope,
    sheets: Sequence[RecordSheet],
    *,
    per_class: bool = True,
    per_month: bool = True,
) -> list[ContactFigures]:
    """Per school, month (of the activity) and class (each of the last two unless asked not
    to): the records of each sheet written (its steps' tasks done), the same rows the record
    sheets list, counted in one GROUP BY."""
    if scope.term is None or not sheets:
        return []
    groups = _groups(Activity.school_id, per_class=per_class, per_month=per_month)
    query = (
        select(
            Activity.school_id,
            _month(per_month),
            _class_name(per_class),
            *(count_if(sheet.holds()) for sheet in sheets),
        )
        .select_from(Task)
        .join(Activity, Activity.id == Task.activity_id)
        .outerjoin(SchoolClass, SchoolClass.id == Task.class_id)
        .where(
            Activity.term_id == scope.term.id,
            scope.schools(Activity.school_id),
            Task.state == TaskState.DONE.value,
            or_(*(sheet.holds() for sheet in sheets)),
        )
        .group_by(*groups)
        .order_by(*_order(groups, per_class=per_class))
    )
    return [
        ContactFigures(school, month, name, tuple(int(n or 0) for n in counts))
        for school, month, name, *counts in session.execute(query)
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


def _month(per_month: bool) -> ColumnElement[Any]:
    return first_of_month(Activity.starts_on) if per_month else null()


def _class_name(per_class: bool) -> ColumnElement[Any]:
    return SchoolClass.name if per_class else null()


def _groups(
    school: ColumnElement[int], *, per_class: bool, per_month: bool = False
) -> list[ColumnElement[Any]]:
    """What a figure is grouped by: the school, then its month and class when asked."""
    groups: list[ColumnElement[Any]] = [school]
    if per_month:
        groups.append(first_of_month(Activity.starts_on))
    if per_class:
        groups += [SchoolClass.id, SchoolClass.grade, SchoolClass.name]
    return groups


def _order(groups: list[ColumnElement[Any]], *, per_class: bool) -> list[ColumnElement[Any]]:
    """The groups in the order a reader looks for them: classes by grade, then name."""
    return [g for g in groups if g is not SchoolClass.id] if per_class else groups


def _ints(row: Any) -> tuple[Any, ...]:
    school_id, name, *counts = row
    return (school_id, name, *(int(count or 0) for count in counts))
