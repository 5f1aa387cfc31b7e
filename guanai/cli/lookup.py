"""Finding the school or teacher a command names, with an error that says what exists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.cli.context import UserError, say
from guanai.core.models import School, Teacher


def school_id(session: Session, code: str | None) -> int:
    """The school with ``code``, or the only school when no code is given."""
    schools = session.execute(select(School.id, School.code).order_by(School.code)).all()
    if code is None:
        if len(schools) == 1:
            return schools[0].id
        if not schools:
            raise UserError(
                say(
                    "还没有学校：先运行 guanai demo 或导入名册",
                    "no schools yet: run guanai demo or import a roster first",
                )
            )
        raise UserError(
            say(
                f"有多所学校，请用 --school 指定：{', '.join(s.code for s in schools)}",
                f"several schools; choose one with --school: {', '.join(s.code for s in schools)}",
            )
        )
    for school in schools:
        if school.code == code:
            return school.id
    raise UserError(say(f"没有代码为 {code} 的学校", f"no school with code {code}"))


def teacher_id(session: Session, school: int, code: str) -> int:
    found = session.scalars(
        select(Teacher.id).where(Teacher.school_id == school, Teacher.code == code)
    ).first()
    if found is None:
        raise UserError(
            say(f"本校没有工号为 {code} 的教师", f"no teacher with code {code} at this school")
        )
    return found
