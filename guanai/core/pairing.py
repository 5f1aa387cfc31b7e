"""Pairings (结对帮扶): each child with a pairing teacher (帮扶教师) and a student buddy (学习帮手).

A pairing is current while ``ended_on`` is null; a change never edits one in place but ends it
(``ended_on`` = today in the school's time zone) and starts a new one, so the history of who
helped whom stays. Every change is also kept in the record's history
(:func:`guanai.core.history.record_changes`: ``pairing.teacher`` holds teacher codes,
``pairing.buddy`` student numbers) with the actor and the source, and the child's open talk
tasks follow the new teacher at once (:mod:`guanai.core.handover`).

:func:`propose_pairs` previews what :func:`auto_pair` then writes: every unpaired child of a
school paired (rules in :mod:`guanai.core.pairing_balance`), each teacher's load before and
after, and no teacher past the cap (``[pairing] max_children_per_teacher``) unless asked.
:func:`set_pairing` is one manual change, held to the same cap. All take the session first and
never commit; who may call them (the coordinator) is the caller's check.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, func, insert, select, update
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.errors import GuanaiError, NotFoundError
from guanai.core.handover import Handover, hand_over_tasks
from guanai.core.history import Change, record_changes
from guanai.core.i18n import Label
from guanai.core.models import Activity, AuditEvent, Child, Pairing, SchoolClass, Teacher
from guanai.core.pairing_balance import Closeness, Pupil, choose_buddies, share_out
from guanai.core.schools import SCHOOL_TIMEZONE, teacher_by_code

AUTO_SOURCE = "guanai pair --auto"
ENROLLED = "enrolled"


class PairingError(GuanaiError):
    """A pairing change that cannot be made as asked; the message names the code."""


@dataclass(frozen=True)
class PairingLoad:
    """One teacher's children (current pairings of enrolled children) before and after."""

    teacher_id: int
    code: str
    name: str
    is_coordinator: bool
    before: int
    after: int
    cap: int

    @property
    def added(self) -> int:
        return self.after - self.before

    @property
    def over_cap(self) -> bool:
        return self.after > self.cap


@dataclass
class PairingReport:
    """What :func:`auto_pair` would do at one school (a preview) or did (``written``).

    ``placements`` (child id, teacher id, buddy id) is what the preview showed; a write given
    the preview refuses to go ahead when the school has changed since.
    """

    school_id: int
    cap: int
    over_cap_allowed: bool = False
    paired: int = 0
    loads: list[PairingLoad] = field(default_factory=list)
    without_buddy: list[str] = field(default_factory=list)  # student numbers
    unpaired: list[str] = field(default_factory=list)  # no teacher had room under the cap
    to_coordinator: int = 0
    placements: tuple[tuple[int, int, int | None], ...] = ()
    written: bool = False
    handover: Handover = field(default_factory=Handover)
    planned_terms: int = 0
    """Terms planned for the school: their open tasks are what the handover moved."""

    @property
    def over_cap(self) -> list[PairingLoad]:
        """Teachers whose load is above the cap (only with ``over_cap_allowed``, or because
        they were above it before)."""
        return [load for load in self.loads if load.over_cap]


@dataclass(frozen=True)
class PairingChange:
    """What :func:`set_pairing` did: teacher codes and student numbers before and after."""

    student_no: str
    teacher_before: str | None
    teacher_after: str
    buddy_before: str | None
    buddy_after: str | None
    changed: bool
    handover: Handover = field(default_factory=Handover)


def today_at_school(now: datetime) -> date:
    """Schools keep no time zone of their own yet: "today" for a pairing is the schools' today."""
    return now.astimezone(SCHOOL_TIMEZONE).date()


@dataclass(frozen=True)
class _Teacher:
    code: str
    name: str
    is_coordinator: bool


@dataclass
class _School:
    """A school as auto-pairing sees it, loaded in four queries."""

    teachers: dict[int, _Teacher]
    pupils: dict[int, Pupil]  # enrolled children, in id order
    numbers: dict[int, str]  # child id -> student number
    classmates: dict[int, list[int]]  # class id -> enrolled children in id order
    closeness: Closeness
    loads: Counter[int]  # teacher id -> current pairings of enrolled children
    helped: Counter[int]  # child id -> children they are buddy to
    paired: set[int]


def _load(session: Session, school_id: int) -> _School:
    teachers = {
        row.id: _Teacher(row.code, row.name, row.is_coordinator)
        for row in session.execute(
            select(Teacher.id, Teacher.code, Teacher.name, Teacher.is_coordinator).where(
                Teacher.school_id == school_id
            )
        )
    }
    classes = session.execute(
        select(SchoolClass.id, SchoolClass.grade, SchoolClass.head_teacher_id).where(
            SchoolClass.school_id == school_id
        )
    ).all()
    children = session.execute(
        select(Child.id, Child.class_id, Child.student_no)
        .where(Child.school_id == school_id, Child.enrolment_status == ENROLLED)
        .order_by(Child.id)
    ).all()
    current = session.execute(
        select(Pairing.child_id, Pairing.teacher_id, Pairing.buddy_child_id)
        .join(Child, Child.id == Pairing.child_id)
        .where(
            Child.school_id == school_id,
            Child.enrolment_status == ENROLLED,
            Pairing.ended_on.is_(None),
        )
    ).all()
    grades = {class_id: grade for class_id, grade, _ in classes}
    school = _School(
        teachers,
        {c.id: Pupil(c.id, c.class_id, grades[c.class_id]) for c in children},
        {c.id: c.student_no for c in children},
        defaultdict(list),
        Closeness({}, {}),
        Counter(dict.fromkeys(teachers, 0)),
        Counter(),
        set(),
    )
    for c in children:
        school.classmates[c.class_id].append(c.id)
    for class_id, grade, head in classes:  # a head teacher teaches in their class and grade
        if head in teachers:
            school.closeness.add(head, class_id, grade)
    for child_id, teacher_id, buddy_id in current:
        school.paired.add(child_id)
        if teacher_id in teachers:
            school.loads[teacher_id] += 1
            pupil = school.pupils[child_id]
            school.closeness.add(teacher_id, pupil.class_id, pupil.grade)
        if buddy_id is not None:
            school.helped[buddy_id] += 1
    return school


def propose_pairs(
    session: Session, school_id: int, *, cap: int, over_cap: bool = False
) -> PairingReport:
    """What :func:`auto_pair` would do, written nowhere: the preview shown before it writes.

    Paired children are never moved; their pairings count toward the teachers' loads. Teachers
    are balanced first and chosen close to the child second (same class, then same grade); the
    coordinator only takes children nobody else has room for. Each new pairing gets a
    classmate as buddy where one is free. The algorithm is set out in
    :mod:`guanai.core.pairing_balance`; the same data always gives the same pairings. No
    teacher goes past ``cap`` children (the children left over are reported) unless
    ``over_cap``: then everyone is paired, balanced, and the teachers over it are reported.
    """
    return _proposal(session, school_id, cap, over_cap)[0]


def _proposal(
    session: Session, school_id: int, cap: int, over_cap: bool
) -> tuple[PairingReport, _School]:
    school = _load(session, school_id)
    teachers = school.teachers
    waiting = [pupil for child_id, pupil in school.pupils.items() if child_id not in school.paired]
    placed = share_out(
        waiting,
        [t for t, teacher in teachers.items() if not teacher.is_coordinator],
        [t for t, teacher in teachers.items() if teacher.is_coordinator],
        school.loads,
        school.closeness,
        None if over_cap else cap,
    )
    buddies = choose_buddies([school.pupils[c] for c in placed], school.classmates, school.helped)
    report = PairingReport(school_id, cap, over_cap, paired=len(placed))
    report.without_buddy = [school.numbers[c] for c in sorted(placed) if buddies[c] is None]
    report.unpaired = [school.numbers[p.id] for p in waiting if p.id not in placed]
    report.to_coordinator = sum(1 for t in placed.values() if teachers[t].is_coordinator)
    report.placements = tuple((c, placed[c], buddies[c]) for c in sorted(placed))
    after = Counter(placed.values())
    loads = school.loads
    report.loads = [
        PairingLoad(
            t,
            teacher.code,
            teacher.name,
            teacher.is_coordinator,
            loads[t],
            loads[t] + after[t],
            cap,
        )
        for t, teacher in sorted(teachers.items())
    ]
    report.planned_terms = (
        session.scalar(
            select(func.count(func.distinct(Activity.term_id))).where(
                Activity.school_id == school_id
            )
        )
        or 0
    )
    return report, school


def auto_pair(
    session: Session,
    school_id: int,
    *,
    actor: str,
    now: datetime,
    registry: ActivityRegistry,
    cap: int,
    over_cap: bool = False,
    daily_cap: int | None = None,
    preview: PairingReport | None = None,
) -> PairingReport:
    """Pair every enrolled child of the school who has no current pairing, as
    :func:`propose_pairs` proposes, and hand the children's open pairing-teacher tasks to
    their new teachers.

    ``preview``: the proposal the user confirmed; if the school has changed since (a child, a
    teacher or a pairing added), nothing is written and :class:`PairingError` says to look
    again. ``registry`` and ``daily_cap`` (the planner's ``max_per_teacher_per_day``) let the
    children's talk tasks follow at once. A second run pairs nobody.
    """
    report, school = _proposal(session, school_id, cap, over_cap)
    if preview is not None and preview.placements != report.placements:
        raise PairingError(
            Label(
                "预览之后本校的学生、教师或结对已有变化，没有写入：请重新预览后再确认",
                "the school's children, teachers or pairings changed after the preview; "
                "nothing was written: preview again, then confirm",
            )
        )
    report.written = True
    if report.placements:
        placed = {child: teacher for child, teacher, _ in report.placements}
        buddies = {child: buddy for child, _, buddy in report.placements}
        _write_new_pairings(session, school, placed, buddies, actor=actor, now=now)
        report.handover = hand_over_tasks(session, registry, placed, now=now, daily_cap=daily_cap)
        session.add(
            AuditEvent(
                at=now,
                actor=actor,
                action="pair",
                entity="school",
                entity_id=school_id,
                detail={"paired": report.paired, "without_buddy": len(report.without_buddy)},
            )
        )
    return report


def _write_new_pairings(
    session: Session,
    school: _School,
    placed: dict[int, int],
    buddies: dict[int, int | None],
    *,
    actor: str,
    now: datetime,
) -> None:
    """One INSERT for the new pairings and one batch of history, teacher codes and numbers."""
    today = today_at_school(now)
    rows = []
    changes = []
    for child_id, teacher_id in sorted(placed.items()):
        buddy = buddies[child_id]
        rows.append(
            {
                "child_id": child_id,
                "teacher_id": teacher_id,
                "buddy_child_id": buddy,
                "started_on": today,
                "ended_on": None,
            }
        )
        code = school.teachers[teacher_id].code
        changes.append(Change(child_id, "pairing.teacher", None, code))
        if buddy is not None:
            changes.append(Change(child_id, "pairing.buddy", None, school.numbers[buddy]))
    session.execute(insert(Pairing), rows)
    record_changes(session, changes, actor=actor, source=AUTO_SOURCE, now=now)


def set_pairing(
    session: Session,
    school_id: int,
    student_no: str,
    *,
    teacher_code: str | None = None,
    buddy_student_no: str | None = None,
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
    Asking for what is already current changes nothing. Unknown codes are refused with a
    message naming the code, never the child's name. A new teacher who already has ``cap``
    children is refused unless ``over_cap``, as :func:`auto_pair` keeps it.
    """
    if teacher_code is None and buddy_student_no is None:
        raise PairingError(
            Label("请指定新的帮扶教师或学习帮手", "give a new pairing teacher or buddy")
        )
    child = _student(session, school_id, student_no)
    teacher = (
        teacher_by_code(session, school_id, teacher_code).id if teacher_code is not None else None
    )
    buddy = None
    if buddy_student_no is not None:
        buddy = _student(session, school_id, buddy_student_no)
        _check_buddy(child, buddy)
    current = session.execute(
        select(Pairing.id, Pairing.teacher_id, Pairing.buddy_child_id).where(
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
    old = (current.teacher_id, current.buddy_child_id) if current else (None, None)
    new = (teacher if teacher is not None else old[0], buddy.id if buddy else old[1])
    result = _describe(session, student_no, old, new)
    if not result.changed:
        return result
    if cap is not None and new[0] != old[0]:
        load = session.scalar(_children_of(new[0])) or 0
        if load >= cap and not over_cap:
            raise PairingError(_cap_reached(result.teacher_after, load, cap))
    today = today_at_school(now)
    if current is not None:
        session.execute(update(Pairing).where(Pairing.id == current.id).values(ended_on=today))
    session.execute(
        insert(Pairing).values(
            child_id=child.id,
            teacher_id=new[0],
            buddy_child_id=new[1],
            started_on=today,
            ended_on=None,
        )
    )
    changes = [
        Change(child.id, field_, before, after)
        for field_, before, after in (
            ("pairing.teacher", result.teacher_before, result.teacher_after),
            ("pairing.buddy", result.buddy_before, result.buddy_after),
        )
        if before != after
    ]
    record_changes(session, changes, actor=actor, source=source, now=now)
    handover = hand_over_tasks(session, registry, [child.id], now=now, daily_cap=daily_cap)
    return replace(result, handover=handover)


def pairing_loads(session: Session, school_id: int, cap: int) -> list[PairingLoad]:
    """Each teacher of the school with their children now (``before`` = ``after``), by code."""
    rows = session.execute(
        select(
            Teacher.id,
            Teacher.code,
            Teacher.name,
            Teacher.is_coordinator,
            _children_of(Teacher.id).scalar_subquery(),
        )
        .where(Teacher.school_id == school_id)
        .order_by(Teacher.code)
    )
    return [PairingLoad(*row[:4], before=row[4], after=row[4], cap=cap) for row in rows]


def _children_of(teacher_id: ColumnElement[int] | int) -> Select[tuple[int]]:
    """How many enrolled children are paired with the teacher now."""
    return (
        select(func.count())
        .select_from(Pairing)
        .join(Child, Child.id == Pairing.child_id)
        .where(
            Pairing.teacher_id == teacher_id,
            Pairing.ended_on.is_(None),
            Child.enrolment_status == ENROLLED,
        )
    )


def _cap_reached(code: str, load: int, cap: int) -> Label:
    return Label(
        f"教师 {code} 已结对 {load} 名学生，达到每位教师的上限 {cap}：请选其他教师，"
        "或在配置文件 [pairing] 中调大 max_children_per_teacher，或确认超出上限（--over-cap）",
        f"teacher {code} already has {load} children, the cap per teacher is {cap}: choose "
        "another teacher, raise max_children_per_teacher in the config file's [pairing], or "
        "confirm going over the cap (--over-cap)",
    )


def _describe(
    session: Session,
    student_no: str,
    old: tuple[int | None, int | None],
    new: tuple[int | None, int | None],
) -> PairingChange:
    """The change from ``old`` to ``new`` (teacher id, buddy id) in codes and numbers."""
    teachers = {old[0], new[0]} - {None}
    buddies = {old[1], new[1]} - {None}
    codes = dict(
        session.execute(select(Teacher.id, Teacher.code).where(Teacher.id.in_(teachers))).all()
    )  # type: ignore[arg-type]
    numbers = dict(
        session.execute(select(Child.id, Child.student_no).where(Child.id.in_(buddies))).all()
    )  # type: ignore[arg-type]
    return PairingChange(
        student_no,
        codes.get(old[0]),
        codes[new[0]],
        numbers.get(old[1]),
        numbers.get(new[1]),
        changed=old != new,
    )


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
