"""The contact card (联系卡) in SQL: where each roster column's value lives, in one joined query.

Every column of :data:`~guanai.core.roster.columns.CHILD_COLUMNS` has one source expression
here (``father.phone`` is the phone of the child's ``Parent`` row with relation "father",
``pairing.teacher`` the code of the teacher of the current pairing), so the export, the
ledgers and the record-rate figure all read the card the same way. One child is one row: the
guardian, each parent and the current pairing are at most one row per child (unique keys).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, select
from sqlalchemy.orm import aliased

from guanai.core.models import Child, Guardian, Pairing, Parent, SchoolClass, Teacher
from guanai.core.roster.columns import CHILD_COLUMNS, Column, Kind
from guanai.core.vocabulary import FIVE_CLEARS

father = aliased(Parent, name="father")
mother = aliased(Parent, name="mother")
pairing_teacher = aliased(Teacher, name="pairing_teacher")
buddy = aliased(Child, name="buddy")

_ENTITIES: dict[str, Any] = {
    "child": Child,
    "father": father,
    "mother": mother,
    "guardian": Guardian,
}
_SPECIAL: dict[str, ColumnElement[Any]] = {
    "child.class": SchoolClass.name,
    "pairing.teacher": pairing_teacher.code,
    "pairing.buddy": buddy.student_no,
    "pairing.buddy_name": Pairing.buddy_name,
}


def source(column: Column) -> ColumnElement[Any]:
    """The SQL expression holding ``column``'s stored value (joined by :func:`card_select`)."""
    if column.key in _SPECIAL:
        return _SPECIAL[column.key]
    return getattr(_ENTITIES[column.entity], column.field)  # type: ignore[no-any-return]


def with_card(query: Select[Any]) -> Select[Any]:
    """``query`` (which selects from :class:`Child`) joined to everything on the card."""
    return (
        query.join(SchoolClass, SchoolClass.id == Child.class_id)
        .outerjoin(Guardian, Guardian.child_id == Child.id)
        .outerjoin(father, and_(father.child_id == Child.id, father.relation == "father"))
        .outerjoin(mother, and_(mother.child_id == Child.id, mother.relation == "mother"))
        .outerjoin(Pairing, and_(Pairing.child_id == Child.id, Pairing.ended_on.is_(None)))
        .outerjoin(pairing_teacher, pairing_teacher.id == Pairing.teacher_id)
        .outerjoin(buddy, buddy.id == Pairing.buddy_child_id)
    )


def card_select(columns: tuple[Column, ...], *extra: ColumnElement[Any]) -> Select[Any]:
    """``Child.id``, then ``extra``, then each column's value: one row per child."""
    return with_card(select(Child.id, *extra, *(source(c) for c in columns)))


def filled(column: Column) -> ColumnElement[bool]:
    """True where the card has a value for ``column`` (empty text counts as missing)."""
    expression = source(column)
    if column.kind in (Kind.DATE, Kind.INTEGER, Kind.BOOLEAN, Kind.CHOICES):
        return expression.is_not(None)
    return func.coalesce(expression, "") != ""


def five_clears_complete() -> ColumnElement[bool]:
    """True where all five clears (五个清楚) are checked.

    The codes are looked for in the JSON text (``"situation"`` with its quotes), which reads
    the same on SQLite and PostgreSQL and needs no JSON functions.
    """
    text = cast(Child.five_clears, Text)
    return and_(*(text.like(f'%"{code}"%') for code in FIVE_CLEARS))


def record_complete() -> ColumnElement[bool]:
    """A complete record (建档完整): every required roster column filled. The five clears
    are an inspection item of their own (:func:`five_clears_complete`), not part of 建档."""
    return and_(*(filled(column) for column in CHILD_COLUMNS if column.required))
