"""Setting up one's own school: the school, its classes and its teachers, one at a time.

Each value typed is checked as the same cell of the set-up sheets is
(:func:`guanai.core.roster.setup_columns.cell_value`); a bad one is refused naming the field.
Every change is audited under the acting account; the coordinator owns it all
(``set_up_school``).
"""

from __future__ import annotations

from typing import Any

from guanai.core.i18n import Label
from guanai.core.roster.checks import CellError
from guanai.core.roster.columns import Column
from guanai.core.roster.setup_columns import (
    CLASS_COLUMNS,
    SCHOOL_COLUMNS,
    TEACHER_COLUMNS,
    cell_value,
    column_of,
)
from guanai.core.school_overview import SchoolOverview, school_overview
from guanai.core.school_setup import (
    SetupError,
    Written,
    create_school,
    put_class,
    put_teacher,
    rename_school,
    set_head_teacher,
)
from guanai.service.base import ServiceBase
from guanai.service.scope import school_for

UNCHANGED = object()
"""A teacher's detail not given: it keeps its value (``None`` clears it)."""


def typed(columns: tuple[Column, ...], key: str, raw: Any) -> Any:
    """The value typed for the column ``key``, checked as its cell is; refused naming it."""
    column = column_of(columns, key)
    try:
        return cell_value(column, raw)
    except CellError as error:
        raise SetupError(
            Label(
                f"{column.header.zh}：{error.reason.zh}", f"{column.header.en}: {error.reason.en}"
            )
        ) from None


class SetupActions(ServiceBase):
    """Creating and renaming a school; adding classes and teachers and changing them."""

    def create_school(self, code: str, name: str) -> Written:
        """A new school; refused to a coordinator bound to another school, and for a code
        already taken."""
        code = typed(SCHOOL_COLUMNS, "school.code", code)
        name = typed(SCHOOL_COLUMNS, "school.name", name)
        with self.acting("set_up_school") as (session, viewer):
            return create_school(session, viewer, code, name, actor=self.actor, now=self.now())

    def rename_school(self, name: str, *, school_code: str | None = None) -> Written:
        name = typed(SCHOOL_COLUMNS, "school.name", name)
        with self.acting("set_up_school") as (session, viewer):
            school = school_for(session, viewer, school_code)
            return rename_school(session, school, name, actor=self.actor, now=self.now())

    def school_overview(self, school_code: str | None = None) -> SchoolOverview:
        """The school's name, code, classes (head teacher, children) and teachers."""
        with self.reading("set_up_school") as (session, viewer):
            return school_overview(session, school_for(session, viewer, school_code))

    def add_class(
        self,
        name: str,
        *,
        grade: int | str | None = None,
        head_code: str | None = None,
        school_code: str | None = None,
    ) -> Written:
        """A new class; its grade (a number, or the text typed for one) by default the one its
        name says (三年级2班: 3)."""
        name = typed(CLASS_COLUMNS, "class.name", name)
        if grade is not None:
            grade = typed(CLASS_COLUMNS, "class.grade", grade)
        head_code = typed(CLASS_COLUMNS, "class.head_teacher", head_code)
        with self.acting("set_up_school") as (session, viewer):
            school = school_for(session, viewer, school_code)
            return put_class(
                session,
                school,
                name,
                grade=grade,
                head_code=head_code,
                create=True,
                actor=self.actor,
                now=self.now(),
            )

    def set_head_teacher(
        self, class_name: str, head_code: str | None, *, school_code: str | None = None
    ) -> Written:
        """Make ``head_code`` the class's head teacher (None: it has none)."""
        with self.acting("set_up_school") as (session, viewer):
            school = school_for(session, viewer, school_code)
            return set_head_teacher(
                session, school, class_name, head_code, actor=self.actor, now=self.now()
            )

    def add_teacher(
        self,
        code: str,
        name: str,
        *,
        phone: str | None = None,
        email: str | None = None,
        subjects: str | None = None,
        is_coordinator: bool = False,
        is_counsellor: bool = False,
        school_code: str | None = None,
    ) -> Written:
        """A new teacher; ``subjects`` as typed (语文、数学)."""
        return self._put_teacher(
            code,
            {
                "name": name,
                "phone": phone,
                "email": email,
                "subjects": subjects,
                "is_coordinator": is_coordinator,
                "is_counsellor": is_counsellor,
            },
            create=True,
            school_code=school_code,
        )

    def change_teacher(
        self,
        code: str,
        *,
        name: Any = UNCHANGED,
        phone: Any = UNCHANGED,
        email: Any = UNCHANGED,
        subjects: Any = UNCHANGED,
        is_coordinator: Any = UNCHANGED,
        is_counsellor: Any = UNCHANGED,
        school_code: str | None = None,
    ) -> Written:
        """Change a teacher's details: those given (an empty text clears one), the rest kept."""
        given = {
            "name": name,
            "phone": phone,
            "email": email,
            "subjects": subjects,
            "is_coordinator": is_coordinator,
            "is_counsellor": is_counsellor,
        }
        return self._put_teacher(
            code,
            {key: value for key, value in given.items() if value is not UNCHANGED},
            create=False,
            school_code=school_code,
        )

    def _put_teacher(
        self, code: str, raw: dict[str, Any], *, create: bool, school_code: str | None
    ) -> Written:
        code = typed(TEACHER_COLUMNS, "teacher.code", code)
        values = {field: typed(TEACHER_COLUMNS, f"teacher.{field}", v) for field, v in raw.items()}
        with self.acting("set_up_school") as (session, viewer):
            school = school_for(session, viewer, school_code)
            return put_teacher(
                session, school, code, values, create=create, actor=self.actor, now=self.now()
            )
