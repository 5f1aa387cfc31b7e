"""活动开展: each activity of the term at each school, with how many of its steps are done.

"Steps" are the activity's tasks that are not cancelled (one per step and subject: for a
talk, one per child and teacher); done/total is counted in SQL, one row per activity.
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl import Workbook
from sqlalchemy import case, false, func, select
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.ledgers.scope import Scope
from guanai.core.models import Activity, Task, TaskState
from guanai.core.workbook import PERCENT, Sheet

TITLE = "活动开展"
HEADERS = ("学校", "活动", "活动编号", "开始日期", "结束日期", "已完成", "应完成", "完成率", "状态")


def rate(part: int, whole: int) -> float | None:
    """``part / whole``, or None (an empty cell) when there is nothing to count."""
    return part / whole if whole else None


def state_of(done: int, total: int) -> str:
    if total and done == total:
        return "已完成"
    return "进行中" if done else "未开展"


def write_activities(
    session: Session,
    book: Workbook,
    scope: Scope,
    registry: ActivityRegistry,
    progress: Callable[[int], None],
) -> int:
    """Write the sheet; return its rows."""
    sheet = Sheet(book, TITLE, HEADERS, formats={7: PERCENT})
    if scope.term is None:
        return 0
    done = func.sum(case((Task.state == TaskState.DONE.value, 1), else_=0))
    query = (
        select(
            Activity.school_id,
            Activity.type,
            Activity.key,
            Activity.starts_on,
            Activity.ends_on,
            func.count(Task.id),
            done,
        )
        .outerjoin(
            Task,
            (Task.activity_id == Activity.id) & (Task.state != TaskState.CANCELLED.value),
        )
        .where(
            Activity.term_id == scope.term.id,
            Activity.cancelled == false(),
            scope.schools(Activity.school_id),
        )
        .group_by(
            Activity.id,
            Activity.school_id,
            Activity.type,
            Activity.key,
            Activity.starts_on,
            Activity.ends_on,
        )
        .order_by(Activity.school_id, Activity.starts_on, Activity.key)
    )
    for school_id, kind, key, starts_on, ends_on, total, held in session.execute(query):
        held = held or 0
        title = registry.types[kind].title.zh if kind in registry else kind
        sheet.append(
            [
                scope.school_name(school_id),
                title,
                key,
                starts_on,
                ends_on,
                held,
                total,
                rate(held, total),
                state_of(held, total),
            ]
        )
    progress(sheet.rows)
    return sheet.rows
