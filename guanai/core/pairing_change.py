"""One manual pairing change (``guanai pair NO --teacher CODE --buddy NO``, the dashboard's
pairing dialog): end the child's current pairing and start a new one.

The buddy (学习帮手) is any classmate: one on the roster by student number, or one who is not
(a classmate who is not left behind) by name.

The half not named is kept; the change is kept in the record's history with the actor and the
source; the child's open pairing-teacher tasks follow the new teacher at once
(:mod:`guanai.core.handover`); and a new teacher who already has the cap's number of children
(``[pairing] max_children_per_teacher``) is refused unless asked, as :mod:`guanai.core.pairing`
keeps it for auto-pairing. Takes the session first and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.errors import NotFoundError
from guanai.core.handover import Handover, hand_over_tasks
from guanai.core.history import Change, record_changes
from guanai.core.i18n import Label
from guanai.core.models import Child, Pairing, Teacher
from guanai.core.pairing import ENROLLED, PairingError, children_paired_with, today_at_school
from guanai.core.roster.checks import CellError
from guanai.core.roster.stored import COLUMNS_BY_KEY
from guanai.core.roster.validation import BUDDY_NAME_NOT_NUMBER, BUDDY_TWICE, parse_cell
from guanai.core.schools import teacher_by_code


@dataclass(frozen=True)
class PairingChange:
    """What :func:`set_pairing` did: teacher codes before and after, and buddies by student
    number (or by name, for a classmate not on the roster)."""

    student_no: str
    teacher_before: str | None
    teacher_after: str
    buddy_before: str | None
    buddy_after: str | None
    changed: bool
    handover: Handover = field(default_factory=Handover)


def set_pairing(
    session: Session,
    school_id: int,
    student_no: str,
    *,
    teacher_code: str | None = None,
    buddy_student_no: str | None = None,
    buddy_name: str | None = None,
    actor: str,
    now: datetime,
    source: str,
    registry: ActivityRegistry,
    daily_cap: int | None = None,
    cap: int | None = None,
    over_cap: bool = False,
) -> PairingChange:
    """Change a child's pairing by hand: end the current one and start a new one.

    The half not named is kept (a new buddy keeps the teacher, a new teacher keeps the buddy).
    A buddy is given by ``buddy_student_no`` or, for a classmate not on the roster, by
    ``buddy_name``, not both. Asking for what is already current changes nothing. Unknown
    codes are refused with a message naming the code, never the child's name. A new teacher who already has ``cap``
    children is refused unless ``over_cap``, as :func:`auto_pair` keeps it.
    """
    if teacher_code is None and buddy_student_no is None and buddy_name is None:
        raise PairingError(
            Label("请指定新的帮扶教师或学习帮手", "give a new pairing teacher or buddy")
        )
    if buddy_student_no is not None and buddy_name is not None:
        raise PairingError(BUDDY_TWICE)
    if buddy_name is not None:
        buddy_name = _buddy_name(buddy_name)
    child = _student(session, school_id, student_no)
    teacher = (
        teacher_by_code(session, school_id, teacher_code).id if teacher_code is not None else None
    )
    buddy = None
    if buddy_student_no is not None:
        buddy = _student(session, school_id, buddy_student_no)
        _check_buddy(child, buddy)
    current = session.execute(
        select(Pairing.id, Pairing.teacher_id, Pairing.buddy_child_id, Pairing.buddy_name).where(
            Pairing.child_id == child.id, Pairing.ended_on.is_(None)
        )
    ).first()
    if current is None and teacher is None:
        raise PairingError(
            Label(
                f"学号 {student_no} 尚未结对：请同时指定帮扶教师（--teacher）",
                f"student {student_no} is not paired yet: give a pairing teacher (--teacher) too",
            )
        )
    old = _Halves(*current[1:]) if current else _Halves(None, None, None)
    new = _Halves(teacher if teacher is not None else old.teacher_id, old.buddy_id, old.buddy_name)
    if buddy is not None:
        new = new._replace(buddy_id=buddy.id, buddy_name=None)
    elif buddy_name is not None:
        new = new._replace(buddy_id=None, buddy_name=buddy_name)
    result, numbers = _describe(session, student_no, old, new)
    if not result.changed:
        return result
    if cap is not None and new.teacher_id != old.teacher_id:
        load = session.scalar(children_paired_with(new.teacher_id)) or 0
        if load >= cap and not over_cap:
            raise PairingError(_cap_reached(result.teacher_after, load, cap))
    today = today_at_school(now)
    if current is not None:
        session.execute(update(Pairing).where(Pairing.id == current.id).values(ended_on=today))
    session.execute(
        insert(Pairing).values(
            child_id=child.id,
            teacher_id=new.teacher_id,
            buddy_child_id=new.buddy_id,
            buddy_name=new.buddy_name,
            started_on=today,
            ended_on=None,
        )
    )
    changes = [
        Change(child.id, field_, before, after)
        for field_, before, after in (
            ("pairing.teacher", result.teacher_before, result.teacher_after),
            ("pairing.buddy", numbers.get(old.buddy_id), numbers.get(new.buddy_id)),
            ("pairing.buddy_name", old.buddy_name, new.buddy_name),
        )
        if before != after
    ]
    record_changes(session, changes, actor=actor, source=source, now=now)
    handover = hand_over_tasks(session, registry, [child.id], now=now, daily_cap=daily_cap)
    return replace(result, handover=handover)


def _cap_reached(code: str, load: int, cap: int) -> Label:
    return Label(
        f"教师 {code} 已结对 {load} 名学生，达到每位教师的上限 {cap}：请选其他教师，"
        "或在配置文件 [pairing] 中调大 max_children_per_teacher，或确认超出上限（--over-cap）",
        f"teacher {code} already has {load} children, the cap per teacher is {cap}: choose "
        "another teacher, raise max_children_per_teacher in the config file's [pairing], or "
        "confirm going over the cap (--over-cap)",
    )


class _Halves(NamedTuple):
    """A pairing's teacher and buddy: a roster child's id, or a classmate's name."""

    teacher_id: int | None
    buddy_id: int | None
    buddy_name: str | None


def _describe(
    session: Session, student_no: str, old: _Halves, new: _Halves
) -> tuple[PairingChange, dict[int, str]]:
    """The change from ``old`` to ``new`` in codes, numbers and names; and the buddies'
    student numbers by child id."""
    teachers = {old.teacher_id, new.teacher_id} - {None}
    buddies = {old.buddy_id, new.buddy_id} - {None}
    codes = dict(
        session.execute(select(Teacher.id, Teacher.code).where(Teacher.id.in_(teachers))).all()
    )  # type: ignore[arg-type]
    numbers: dict[int, str] = dict(
        session.execute(select(Child.id, Child.student_no).where(Child.id.in_(buddies))).all()
    )  # type: ignore[arg-type]
    change = PairingChange(
        student_no,
        codes.get(old.teacher_id),
        codes[new.teacher_id],
        numbers.get(old.buddy_id) if old.buddy_id is not None else old.buddy_name,
        numbers.get(new.buddy_id) if new.buddy_id is not None else new.buddy_name,
        changed=old != new,
    )
    return change, numbers


def _buddy_name(name: str) -> str:
    """A classmate's name as typed, checked as the roster's 学习帮手姓名 cell is."""
    try:
        cleaned = parse_cell(BUDDY_NAME_COLUMN, name)
    except CellError as error:
        raise PairingError(
            Label(f"学习帮手姓名：{error.reason.zh}", f"buddy's name: {error.reason.en}")
        ) from None
    if not cleaned:
        raise PairingError(Label("学习帮手姓名为空", "the buddy's name is empty"))
    if any(character.isdigit() for character in cleaned):
        raise PairingError(BUDDY_NAME_NOT_NUMBER)
    return cleaned


BUDDY_NAME_COLUMN = COLUMNS_BY_KEY["pairing.buddy_name"]


@dataclass(frozen=True)
class _Student:
    id: int
    class_id: int
    student_no: str


def _student(session: Session, school_id: int, student_no: str) -> _Student:
    row = session.execute(
        select(Child.id, Child.class_id, Child.enrolment_status).where(
            Child.school_id == school_id, Child.student_no == student_no
        )
    ).first()
    if row is None:
        raise NotFoundError(
            Label(
                f"本校没有学号为 {student_no} 的学生",
                f"no student with number {student_no} at this school",
            )
        )
    if row.enrolment_status != ENROLLED:
        raise PairingError(
            Label(
                f"学号 {student_no} 的学生不在读，不能结对",
                f"student {student_no} is not enrolled and cannot be paired",
            )
        )
    return _Student(row.id, row.class_id, student_no)


def _check_buddy(child: _Student, buddy: _Student) -> None:
    if buddy.id == child.id:
        raise PairingError(
            Label(
                f"学号 {child.student_no}：学习帮手不能是本人",
                f"student {child.student_no} cannot be their own buddy",
            )
        )
    if buddy.class_id != child.class_id:
        raise PairingError(
            Label(
                f"学习帮手 {buddy.student_no} 应与学号 {child.student_no} 的学生同班",
                f"buddy {buddy.student_no} must be in the same class as student {child.student_no}",
            )
        )
