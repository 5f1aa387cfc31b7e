"""帮扶计划: the learning-support plans and individual education plans running in the term.

One row per plan open at some time in the term (opened by its last day, not closed before its
first): its kind, status and dates, its children (masked for the bureau) and teachers, and how
many of its checks' tasks are done and still open. A plan's texts and outcome are free text
about a child and never reach the ledger; for the bureau the title is left out as well (a
school may name a plan after its child). Counted by the database: one query for the plans,
one for their children, one for their teachers, one for their checks' tasks grouped by check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from openpyxl import Workbook
from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import Session

from guanai.core.case_plans import KIND_LABELS, plan_of
from guanai.core.ledgers.figures import count_if
from guanai.core.ledgers.scope import Scope
from guanai.core.models import (
    Activity,
    CasePlan,
    CasePlanChild,
    CasePlanTeacher,
    Child,
    Task,
    TaskState,
    Teacher,
)
from guanai.core.occurrences import CASE_PREFIX
from guanai.core.roster.disclosure import Disclosure
from guanai.core.workbook import Sheet

TITLE = "帮扶计划"
HEADERS = (
    "学校", "编号", "类型", "标题", "状态", "开始日期", "结束日期", "学生数", "学生", "帮扶教师",
    "已完成检查", "未完成检查",
)  # fmt: skip
_OPEN = (TaskState.PENDING, TaskState.DUE, TaskState.OVERDUE, TaskState.ESCALATED)


def write_plans(
    session: Session,
    book: Workbook,
    scope: Scope,
    disclosure: Disclosure,
    progress: Callable[[int], None],
) -> int:
    """Write the sheet; return its rows."""
    sheet = Sheet(book, TITLE, HEADERS)
    in_scope = and_(scope.schools(CasePlan.school_id), _in_term(scope))
    plans = session.execute(
        select(
            CasePlan.id,
            CasePlan.school_id,
            CasePlan.kind,
            CasePlan.title,
            CasePlan.opened_on,
            CasePlan.closed_on,
        )
        .where(in_scope)
        .order_by(CasePlan.school_id, CasePlan.id)
    ).all()
    ids = select(CasePlan.id).where(in_scope)
    children = _by_plan(
        session,
        select(CasePlanChild.plan_id, Child.name)
        .join(Child, Child.id == CasePlanChild.child_id)
        .where(CasePlanChild.plan_id.in_(ids))
        .order_by(CasePlanChild.plan_id, Child.student_no),
    )
    teachers = _by_plan(
        session,
        select(CasePlanTeacher.plan_id, Teacher.name)
        .join(Teacher, Teacher.id == CasePlanTeacher.teacher_id)
        .where(CasePlanTeacher.plan_id.in_(ids))
        .order_by(CasePlanTeacher.plan_id, Teacher.code),
    )
    done, open_ = _check_counts(session, scope)
    for plan in plans:
        names = children.get(plan.id, [])
        sheet.append(
            [
                scope.school_name(plan.school_id),
                plan.id,
                KIND_LABELS[plan.kind].zh,
                None if disclosure.masks_names else plan.title,
                "已结束" if plan.closed_on else "进行中",
                plan.opened_on,
                plan.closed_on,
                len(names),
                "、".join(disclosure.name(name) or "" for name in names),
                "、".join(teachers.get(plan.id, [])),
                done.get(plan.id, 0),
                open_.get(plan.id, 0),
            ]
        )
    progress(len(plans))
    return sheet.rows


def _in_term(scope: Scope) -> ColumnElement[bool]:
    term = scope.term
    if term is None:
        return true()
    return and_(
        CasePlan.opened_on <= term.ends_on,
        or_(CasePlan.closed_on.is_(None), CasePlan.closed_on >= term.starts_on),
    )


def _by_plan(session: Session, query: Select[tuple[int, str]]) -> dict[int, list[str]]:
    """The names ``query`` reads (plan id, name), gathered per plan in its order."""
    found: dict[int, list[str]] = defaultdict(list)
    for plan_id, name in session.execute(query):
        found[plan_id].append(name)
    return found


def _check_counts(session: Session, scope: Scope) -> tuple[dict[int, int], dict[int, int]]:
    """Done and open check tasks per plan, grouped by check activity in the database."""
    rows = session.execute(
        select(
            Activity.key,
            count_if(Task.state == TaskState.DONE.value),
            count_if(Task.state.in_([state.value for state in _OPEN])),
        )
        .join(Task, Task.activity_id == Activity.id)
        .where(Activity.key.like(f"{CASE_PREFIX}%"), scope.schools(Activity.school_id))
        .group_by(Activity.key)
    )
    done: dict[int, int] = defaultdict(int)
    open_: dict[int, int] = defaultdict(int)
    for key, done_here, open_here in rows:
        done[plan_of(key)] += int(done_here)
        open_[plan_of(key)] += int(open_here)
    return done, open_
