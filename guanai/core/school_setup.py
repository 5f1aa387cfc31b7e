"""Setting up a school of one's own: the school, its teachers and its classes.

Each function takes a session first, writes at most one row, never commits, and audits what it
changed (an :class:`AuditEvent` naming the acting account and the fields changed, never their
values). Values arrive parsed, as :func:`guanai.core.roster.setup_columns.cell_value` makes
them, so a command and a workbook row are checked the same way. Writing a value a row already
holds changes nothing and audits nothing: setting a school up twice from the same workbook is
a no-op the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.access import AccessError, Viewer
from guanai.core.class_names import class_key
from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.models import AuditEvent, School, SchoolClass, Teacher
from guanai.core.schools import class_by_name, teacher_by_code


class SetupError(GuanaiError):
    """A school, class or teacher cannot be set up as asked; the message names the field."""


@dataclass(frozen=True)
class Written:
    """What one call did to its row: ``created``, ``updated`` (with the fields changed) or
    neither (the row already held every value)."""

    id: int
    created: bool = False
    changed: tuple[str, ...] = ()

    @property
    def updated(self) -> bool:
        return bool(self.changed) and not self.created


def _audit(
    session: Session, actor: str, now: datetime, action: str, entity: str, written: Written
) -> Written:
    if written.created or written.changed:
        session.add(
            AuditEvent(
                at=now,
                actor=actor,
                action=action,
                entity=entity,
                entity_id=written.id,
                detail={"created": written.created, "fields": list(written.changed)},
            )
        )
    return written


def _assign(row: Any, values: dict[str, Any]) -> tuple[str, ...]:
    """Set the attributes ``values`` names on ``row``; the names of those that changed."""
    changed = tuple(name for name, value in values.items() if getattr(row, name) != value)
    for name in changed:
        setattr(row, name, values[name])
    return changed


def school_code_taken(session: Session, code: str) -> bool:
    return session.scalar(select(School.id).where(School.code == code)) is not None


def put_school(
    session: Session, viewer: Viewer, code: str, name: str, *, actor: str, now: datetime
) -> Written:
    """The school ``code`` named ``name``: created when there is none, else renamed. An
    account bound to one school may rename only it, and create none."""
    school = session.scalars(select(School).where(School.code == code)).one_or_none()
    if school is None:
        if viewer.school_id is not None:
            raise AccessError(
                Label(
                    f"用户 {viewer.name} 只能管理本校，不能新建学校",
                    f"user {viewer.name} may only manage their own school, not create one",
                )
            )
        school = School(code=code, name=name)
        session.add(school)
        session.flush()
        return _audit(session, actor, now, "create_school", "school", Written(school.id, True))
    if viewer.school_id is not None and viewer.school_id != school.id:
        raise AccessError(
            Label(
                f"用户 {viewer.name} 只能管理本校",
                f"user {viewer.name} may only manage their own school",
            )
        )
    return rename_school(session, school.id, name, actor=actor, now=now)


def create_school(
    session: Session, viewer: Viewer, code: str, name: str, *, actor: str, now: datetime
) -> Written:
    """A new school; refused when the code is taken."""
    if school_code_taken(session, code):
        raise SetupError(Label(f"学校代码 {code} 已被使用", f"school code {code} is taken"))
    return put_school(session, viewer, code, name, actor=actor, now=now)


def rename_school(
    session: Session, school_id: int, name: str, *, actor: str, now: datetime
) -> Written:
    school = session.get_one(School, school_id)
    changed = _assign(school, {"name": name})
    return _audit(
        session, actor, now, "rename_school", "school", Written(school_id, False, changed)
    )


TEACHER_FIELDS = ("name", "phone", "email", "subjects", "is_coordinator", "is_counsellor")


def put_teacher(
    session: Session,
    school_id: int,
    code: str,
    values: dict[str, Any],
    *,
    create: bool | None = None,
    actor: str,
    now: datetime,
) -> Written:
    """The teacher ``code`` of the school with ``values`` (fields of :data:`TEACHER_FIELDS`;
    those left out keep their value). ``create``: True refuses a code taken, False an unknown
    code, None creates or updates."""
    teacher = session.scalars(
        select(Teacher).where(Teacher.school_id == school_id, Teacher.code == code)
    ).one_or_none()
    if teacher is not None and create:
        raise SetupError(
            Label(f"本校已有工号为 {code} 的教师", f"a teacher with code {code} exists already")
        )
    if teacher is None and create is False:
        teacher = teacher_by_code(session, school_id, code)  # raises, naming the code
    if teacher is None:
        if values.get("name") is None:
            raise SetupError(Label("新教师须填写姓名", "a new teacher needs a name"))
        teacher = Teacher(school_id=school_id, code=code, **_teacher_defaults(values))
        session.add(teacher)
        session.flush()
        return _audit(session, actor, now, "add_teacher", "teacher", Written(teacher.id, True))
    changed = _assign(teacher, values)
    return _audit(
        session, actor, now, "change_teacher", "teacher", Written(teacher.id, False, changed)
    )


def _teacher_defaults(values: dict[str, Any]) -> dict[str, Any]:
    defaults: dict[str, Any] = {"subjects": [], "is_coordinator": False, "is_counsellor": False}
    return {**defaults, **{k: v for k, v in values.items() if v is not None}}


def put_class(
    session: Session,
    school_id: int,
    name: str,
    *,
    grade: int | None,
    head_code: str | None,
    create: bool | None = None,
    actor: str,
    now: datetime,
) -> Written:
    """The class ``name`` of the school, of ``grade`` (default: the grade its name says) with
    the head teacher ``head_code`` (None: left as it is). ``create``: True refuses a name taken,
    None creates or updates. A name spelling a class the school has in another spelling
    (三年级(2)班 for 三年级2班) is that class: a second one would leave roster cells, which
    find a class in any spelling, not knowing which is meant."""
    found = _same_class(session, school_id, name)
    if found is not None and create:
        taken = name if found.name == name else f"{found.name}（即 {name}）"
        taken_en = name if found.name == name else f"{found.name} (the same as {name})"
        raise SetupError(
            Label(f"本校已有班级 {taken}", f"the school has a class {taken_en} already")
        )
    values: dict[str, Any] = {}
    if head_code is not None:
        values["head_teacher_id"] = teacher_by_code(session, school_id, head_code).id
    if grade is None and found is None:
        key = class_key(name)
        if key is None:
            raise SetupError(
                Label(
                    f"无法从班级名称 {name} 看出年级：请填写年级",
                    f"the class name {name} does not say its grade: give its grade",
                )
            )
        grade = key[0]
    if grade is not None:
        values["grade"] = grade
    if found is None:
        created = SchoolClass(school_id=school_id, name=name, **values)
        session.add(created)
        session.flush()
        return _audit(session, actor, now, "add_class", "school_class", Written(created.id, True))
    changed = _assign(found, values)
    return _audit(
        session, actor, now, "change_class", "school_class", Written(found.id, False, changed)
    )


def _same_class(session: Session, school_id: int, name: str) -> SchoolClass | None:
    """The school's class called ``name``, else the one whose name spells the same class."""
    classes = list(session.scalars(select(SchoolClass).where(SchoolClass.school_id == school_id)))
    exact = next((c for c in classes if c.name == name), None)
    key = class_key(name)
    if exact is not None or key is None:
        return exact
    return next((c for c in classes if class_key(c.name) == key), None)


def set_head_teacher(
    session: Session,
    school_id: int,
    class_name: str,
    head_code: str | None,
    *,
    actor: str,
    now: datetime,
) -> Written:
    """Make ``head_code`` the head teacher of the class (None: the class has none)."""
    found = class_by_name(session, school_id, class_name)
    head = None if head_code is None else teacher_by_code(session, school_id, head_code).id
    changed = _assign(found, {"head_teacher_id": head})
    return _audit(
        session, actor, now, "change_class", "school_class", Written(found.id, False, changed)
    )
