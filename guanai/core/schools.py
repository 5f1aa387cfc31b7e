"""Finding a school or a teacher by the code a user typed, and the schools' time zone.

One definition each, so every front end and every query names what exists the same way.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.errors import NotFoundError
from guanai.core.i18n import Label
from guanai.core.models import School, SchoolClass, Teacher
from guanai.core.roster.checks import code as typed_code
from guanai.core.timezone import SCHOOL_TIMEZONE, SCHOOL_TIMEZONE_NAME

__all__ = [
    "SCHOOL_TIMEZONE",
    "SCHOOL_TIMEZONE_NAME",
    "chosen_school",
    "class_by_name",
    "school_by_code",
    "teacher_by_code",
]


def school_by_code(session: Session, code: str) -> School:
    """The school with ``code``, or a NotFoundError that names the code."""
    school = session.scalars(select(School).where(School.code == code)).one_or_none()
    if school is None:
        raise NotFoundError(Label(f"没有代码为 {code} 的学校", f"no school with code {code}"))
    return school


def chosen_school(session: Session, code: str | None, default: int | None = None) -> int:
    """The school ``code`` names; without a code, ``default`` (the account's own school) or
    else the only school, with an error listing the codes when there are several."""
    if code is not None:
        return school_by_code(session, code).id
    if default is not None:
        return default
    codes = list(session.scalars(select(School.code).order_by(School.code).limit(21)))
    if len(codes) == 1:
        return school_by_code(session, codes[0]).id
    if not codes:
        raise NotFoundError(
            Label(
                "还没有学校：先用 guanai school create 代码 名称 建立本校，或导入含“学校”表的"
                "名册（guanai template 生成）",
                "no schools yet: set yours up with guanai school create CODE NAME, or import a"
                " workbook with a 学校 sheet (guanai template writes one)",
            )
        )
    listed = ", ".join(codes[:20]) + ("…" if len(codes) > 20 else "")
    raise NotFoundError(
        Label(
            f"有多所学校，请用 --school 指定：{listed}",
            f"several schools; choose one with --school: {listed}",
        )
    )


def teacher_by_code(session: Session, school_id: int, code: str) -> Teacher:
    """The teacher of ``school_id`` with ``code`` (typed full-width or with spaces, too)."""
    code = typed_code(code)
    teacher = session.scalars(
        select(Teacher).where(Teacher.school_id == school_id, Teacher.code == code)
    ).first()
    if teacher is None:
        raise NotFoundError(
            Label(f"本校没有工号为 {code} 的教师", f"no teacher with code {code} at this school")
        )
    return teacher


def class_by_name(session: Session, school_id: int, name: str) -> SchoolClass:
    """The class of ``school_id`` called ``name``."""
    found = session.scalars(
        select(SchoolClass).where(SchoolClass.school_id == school_id, SchoolClass.name == name)
    ).one_or_none()
    if found is None:
        raise NotFoundError(Label(f"本校没有班级 {name}", f"no class {name} at this school"))
    return found
