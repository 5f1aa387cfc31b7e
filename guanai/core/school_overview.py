"""One school as its coordinator sets it up: its name and code, classes and teachers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guanai.core.class_names import grade_order
from guanai.core.models import Child, School, SchoolClass, Teacher


@dataclass(frozen=True)
class ClassRow:
    name: str
    grade: int
    head_code: str | None
    head_name: str | None
    children: int  # enrolled


@dataclass(frozen=True)
class TeacherRow:
    code: str
    name: str
    phone: str | None
    email: str | None
    subjects: tuple[str, ...]
    is_coordinator: bool


@dataclass(frozen=True)
class SchoolOverview:
    code: str
    name: str
    classes: tuple[ClassRow, ...]  # by grade, then as the school lists them (2班 before 10班)
    teachers: tuple[TeacherRow, ...]  # by code


def school_overview(session: Session, school_id: int) -> SchoolOverview:
    school = session.get_one(School, school_id)
    enrolled = (
        select(Child.class_id, func.count().label("n"))
        .where(Child.school_id == school_id, Child.enrolment_status == "enrolled")
        .group_by(Child.class_id)
        .subquery()
    )
    classes = session.execute(
        select(
            SchoolClass.name,
            SchoolClass.grade,
            Teacher.code,
            Teacher.name,
            func.coalesce(enrolled.c.n, 0),
        )
        .outerjoin(Teacher, Teacher.id == SchoolClass.head_teacher_id)
        .outerjoin(enrolled, enrolled.c.class_id == SchoolClass.id)
        .where(SchoolClass.school_id == school_id)
    )
    teachers = session.scalars(
        select(Teacher).where(Teacher.school_id == school_id).order_by(Teacher.code)
    )
    return SchoolOverview(
        school.code,
        school.name,
        tuple(
            sorted(
                (ClassRow(*row) for row in classes), key=lambda c: (c.grade, grade_order(c.name))
            )
        ),
        tuple(
            TeacherRow(t.code, t.name, t.phone, t.email, tuple(t.subjects or ()), t.is_coordinator)
            for t in teachers
        ),
    )
