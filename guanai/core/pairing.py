"""Pairings (结对帮扶): each child with a pairing teacher (帮扶教师) and a student buddy (学习帮手).

A pairing is current while ``ended_on`` is null; a change never edits one in place but ends it
(``ended_on`` = today in the school's time zone) and starts a new one, so the history of who
helped whom stays. Every change is also kept in the record's history
(:func:`guanai.core.history.record_changes`: ``pairing.teacher`` holds teacher codes,
``pairing.buddy`` student numbers, ``pairing.buddy_name`` the names of buddies not on the
roster) with the actor and the source, and the child's open talk
tasks follow the new teacher at once (:mod:`guanai.core.handover`).

:func:`propose_pairs` previews what :func:`auto_pair` then writes: every unpaired child of a
school paired (rules in :mod:`guanai.core.pairing_balance`), each teacher's load before and
after, and no teacher past the cap (``[pairing] max_children_per_teacher``) unless asked.
:func:`guanai.core.pairing_change.set_pairing` is one manual change, held to the same cap.
All take the session first and never commit; who may call them (the coordinator) is the
caller's check.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, func, insert, select
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.errors import GuanaiError
from guanai.core.handover import Handover, hand_over_tasks
from guanai.core.history import Change, record_changes
from guanai.core.i18n import Label
from guanai.core.models import Activity, AuditEvent, Child, Pairing, SchoolClass, Teacher
from guanai.core.pairing_balance import Closeness, Pupil, choose_buddies, share_out
from guanai.core.schools import SCHOOL_TIMEZONE

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


def pairing_loads(session: Session, school_id: int, cap: int) -> list[PairingLoad]:
    """Each teacher of the school with their children now (``before`` = ``after``), by code."""
    rows = session.execute(
        select(
            Teacher.id,
            Teacher.code,
            Teacher.name,
            Teacher.is_coordinator,
            children_paired_with(Teacher.id).scalar_subquery(),
        )
        .where(Teacher.school_id == school_id)
        .order_by(Teacher.code)
    )
    return [PairingLoad(*row[:4], before=row[4], after=row[4], cap=cap) for row in rows]


def children_paired_with(teacher_id: ColumnElement[int] | int) -> Select[tuple[int]]:
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
