"""The Children screen's data: a window of the roster, its count from SQL, each row's essentials.

Rows are ordered by their key (class id, student number), which is unique per child, and read in
keyset pages: a page starts after (or ends before) the key of a row already shown, so the last
page costs what the first does and nothing ever reads the whole roster (260,000 children in a
city). A page is found in two steps: the keys of the window from :class:`Child` alone (joining
the card only for the "incomplete record" filter), then the row details of those few ids.

The search is a prefix of the name, or of the student number when it starts with a digit,
written as a range (``name >= 'p' AND name < 'p' || U+10FFFF``) that a B-tree index on the
column serves on SQLite and PostgreSQL alike, unlike ``LIKE 'p%'`` (which on SQLite needs a
NOCASE index, on PostgreSQL a ``text_pattern_ops`` one); a ``LIKE`` on the range's rows keeps
the result exact. Names are shown in clear only to a viewer who sees the child in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, true, tuple_
from sqlalchemy.orm import Session, aliased

from guanai.core.access import Viewer, require_school, sees_in_full
from guanai.core.masking import mask_name
from guanai.core.models import (
    Activity,
    Child,
    Pairing,
    Record,
    School,
    SchoolClass,
    Task,
    TaskState,
    Teacher,
)
from guanai.core.roster.cards import pairing_teacher, record_complete, with_card

PAGE_SIZE = 100
TALK = "talk"  # the built-in talks plugin's activity type (guanai/plugins/talks.py)
_TOP = "\U0010ffff"  # sorts after every character: 'p' <= name < 'p' + _TOP is the prefix 'p'

RosterKey = tuple[int, str]
"""A row's place in the roster: (class id, student number)."""


@dataclass(frozen=True)
class RosterFilter:
    """What the coordinator narrowed the roster to; the default is every visible child."""

    search: str = ""
    class_id: int | None = None
    grade: int | None = None
    incomplete: bool = False
    unpaired: bool = False
    key_target: bool = False


@dataclass(frozen=True)
class RosterRow:
    child_id: int
    school_id: int
    school_code: str
    class_id: int
    student_no: str
    name: str  # masked (张*) unless the viewer sees the child in full
    class_name: str
    grade: int
    complete: bool  # 建档完整: every required roster column filled
    key_target: bool
    teacher: str | None  # the current pairing teacher's name
    last_talk: date | None  # the day the latest recorded talk was held (its record's date)

    @property
    def key(self) -> RosterKey:
        return (self.class_id, self.student_no)


@dataclass(frozen=True)
class RosterPage:
    rows: list[RosterRow]
    has_previous: bool
    has_next: bool


def prefix(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """Rows whose ``column`` starts with ``text``, as an index range plus an exact check."""
    return and_(column >= text, column < text + _TOP, column.startswith(text, autoescape=True))


def conditions(viewer: Viewer, wanted: RosterFilter) -> list[ColumnElement[bool]]:
    """The WHERE clause of the window and of its count (on :class:`Child`)."""
    found: list[ColumnElement[bool]] = [
        Child.school_id == viewer.school_id if viewer.school_id is not None else true()
    ]
    text = wanted.search.strip()
    if text:
        found.append(prefix(Child.student_no if text[0].isdigit() else Child.name, text))
    if wanted.class_id is not None:
        found.append(Child.class_id == wanted.class_id)
    if wanted.grade is not None:
        found.append(
            Child.class_id.in_(select(SchoolClass.id).where(SchoolClass.grade == wanted.grade))
        )
    if wanted.key_target:
        found.append(Child.key_target.is_(True))
    if wanted.unpaired:
        found.append(~exists().where(Pairing.child_id == Child.id, Pairing.ended_on.is_(None)))
    if wanted.incomplete:
        found.append(~record_complete())
    return found


def _filtered(query: Select[Any], viewer: Viewer, wanted: RosterFilter) -> Select[Any]:
    query = with_card(query) if wanted.incomplete else query.select_from(Child)
    return query.where(*conditions(viewer, wanted))


def roster_count(session: Session, viewer: Viewer, wanted: RosterFilter) -> int:
    """How many children the filter finds (the whole filter, not one window)."""
    return session.scalar(_filtered(select(func.count(Child.id)), viewer, wanted)) or 0


def roster_page(
    session: Session,
    viewer: Viewer,
    wanted: RosterFilter,
    *,
    after: RosterKey | None = None,
    before: RosterKey | None = None,
    size: int = PAGE_SIZE,
) -> RosterPage:
    """The ``size`` rows after ``after`` (or before ``before``; the first page without either)."""
    key = tuple_(Child.class_id, Child.student_no)
    query = _filtered(select(Child.id), viewer, wanted)
    if before is not None:
        query = query.where(key < tuple_(*before)).order_by(
            Child.class_id.desc(), Child.student_no.desc()
        )
    else:
        if after is not None:
            query = query.where(key > tuple_(*after))
        query = query.order_by(Child.class_id, Child.student_no)
    ids = list(session.scalars(query.limit(size + 1)))
    more = len(ids) > size
    ids = ids[:size]
    rows = sorted(_details(session, viewer, ids), key=lambda row: row.key)
    if before is not None:
        return RosterPage(rows, has_previous=more, has_next=True)
    return RosterPage(rows, has_previous=after is not None, has_next=more)


def _details(session: Session, viewer: Viewer, ids: list[int]) -> list[RosterRow]:
    if not ids:
        return []
    last_talk = (  # the talk's own date (ISO text, so the latest is the greatest)
        select(func.max(Record.data["date"].as_string()))
        .select_from(Task)
        .join(Activity, Activity.id == Task.activity_id)
        .join(Record, Record.task_id == Task.id)
        .where(Task.child_id == Child.id, Task.state == TaskState.DONE, Activity.type == TALK)
        .correlate(Child)
        .scalar_subquery()
    )
    query = (
        with_card(
            select(
                Child.id,
                Child.school_id,
                School.code.label("school_code"),
                Child.class_id,
                Child.student_no,
                Child.name,
                SchoolClass.name.label("class_name"),
                SchoolClass.grade,
                record_complete().label("complete"),
                Child.key_target,
                pairing_teacher.name.label("teacher"),
                last_talk.label("last_talk"),
                sees_in_full(viewer).label("full"),
            )
        )
        .join(School, School.id == Child.school_id)
        .where(Child.id.in_(ids))
    )
    return [
        RosterRow(
            row.id,
            row.school_id,
            row.school_code,
            row.class_id,
            row.student_no,
            row.name if row.full else mask_name(row.name),
            row.class_name,
            row.grade,
            bool(row.complete),
            bool(row.key_target),
            row.teacher,
            date.fromisoformat(row.last_talk) if row.last_talk else None,
        )
        for row in session.execute(query)
    ]


@dataclass(frozen=True)
class PairingChoices:
    """What the pairing dialog offers: the school's teachers (code, name) and the child's
    current pairing teacher's code and buddy: a roster child's student number, or the name of
    a classmate not on the roster."""

    teachers: tuple[tuple[str, str], ...]
    teacher_code: str | None
    buddy_no: str | None
    buddy_name: str | None


def pairing_choices(session: Session, viewer: Viewer, child_id: int) -> PairingChoices:
    """The teachers of the child's school and the child's current pairing (``viewer``'s
    school only)."""
    school = session.scalar(select(Child.school_id).where(Child.id == child_id))
    require_school(viewer, school or -1)
    teachers = session.execute(
        select(Teacher.code, Teacher.name).where(Teacher.school_id == school).order_by(Teacher.code)
    ).all()
    buddy = aliased(Child)
    current = session.execute(
        select(Teacher.code, buddy.student_no, Pairing.buddy_name)
        .select_from(Pairing)
        .join(Teacher, Teacher.id == Pairing.teacher_id)
        .outerjoin(buddy, buddy.id == Pairing.buddy_child_id)
        .where(Pairing.child_id == child_id, Pairing.ended_on.is_(None))
    ).first()
    return PairingChoices(
        tuple((code, name) for code, name in teachers),
        *(current if current else (None, None, None)),
    )
