"""结对帮扶: every enrolled child's current pairing (结对帮扶) with a teacher and a buddy.

The buddy is any classmate: one on the roster with their student number, one who is not by
name alone.

Children without a current pairing are listed too (状态 未结对), since the bureau checks that
every child is paired one-to-one.
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl import Workbook
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from guanai.core.ledgers.scope import Scope
from guanai.core.models import Child, Pairing, SchoolClass, Teacher
from guanai.core.paging import keyset_pages
from guanai.core.roster.disclosure import Disclosure
from guanai.core.workbook import Sheet

TITLE = "结对帮扶"
HEADERS = (
    "学校",
    "班级",
    "学号",
    "儿童姓名",
    "帮扶教师",
    "帮扶教师工号",
    "学习帮手",
    "学习帮手学号",
    "结对日期",
    "状态",
)


def write_pairings(
    session: Session,
    book: Workbook,
    scope: Scope,
    disclosure: Disclosure,
    progress: Callable[[int], None],
) -> int:
    """Write the sheet; return its rows."""
    sheet = Sheet(book, TITLE, HEADERS)
    buddy = aliased(Child, name="buddy")
    base = (
        select(
            Child.id,
            SchoolClass.name,
            Child.student_no,
            Child.name,
            Teacher.name,
            Teacher.code,
            func.coalesce(buddy.name, Pairing.buddy_name),  # a classmate not on the roster
            buddy.student_no,
            Pairing.started_on,
        )
        .join(SchoolClass, SchoolClass.id == Child.class_id)
        .outerjoin(Pairing, and_(Pairing.child_id == Child.id, Pairing.ended_on.is_(None)))
        .outerjoin(Teacher, Teacher.id == Pairing.teacher_id)
        .outerjoin(buddy, buddy.id == Pairing.buddy_child_id)
        .where(Child.enrolment_status == "enrolled")
    )
    for school_id in sorted(scope.school_names):
        school = scope.school_name(school_id)
        query = base.where(Child.school_id == school_id)
        for page in keyset_pages(session, query, Child.id):
            for _, class_name, no, name, teacher, code, mate, mate_no, since in page:
                state = "已结对" if since is not None else "未结对"
                sheet.append(
                    [
                        school,
                        class_name,
                        no,
                        disclosure.name(name),
                        teacher,
                        code,
                        disclosure.name(mate),
                        mate_no,
                        since,
                        state,
                    ]
                )
            progress(len(page))
    return sheet.rows
