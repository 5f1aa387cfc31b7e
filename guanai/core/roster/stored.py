"""The stored values of children's records, by roster column key, for comparing with a roster.

The roster's columns (:data:`guanai.core.roster.columns.CHILD_COLUMNS`) name fields of four
tables: ``child.*`` the child (``child.class`` is the class id), ``guardian.*`` the guardian,
``father.*`` and ``mother.*`` the parents. :func:`load_cards` reads them for many children in
a handful of queries, with values normalised exactly as :meth:`Column.parse` returns them, so a
stored card and a parsed roster row compare field by field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from guanai.core.models import Child, Guardian, Parent
from guanai.core.roster.columns import CHILD_COLUMNS, Column, Kind

BATCH = 2_000  # keys per IN (...) query
PARENTS = ("father", "mother")
RECORD_COLUMNS: tuple[Column, ...] = tuple(
    c for c in CHILD_COLUMNS if c.entity != "pairing" and c.key != "child.student_no"
)
"""Columns stored on the card itself; the pairing columns live in :class:`Pairing` rows."""
COLUMNS_BY_KEY: dict[str, Column] = {c.key: c for c in CHILD_COLUMNS}
EMPTY_VALUES: dict[str, Any] = {"child.key_target": False, "child.enrolment_status": "enrolled"}
"""What an empty cell stores when the field cannot be empty: the field's default."""


def table_column(key: str) -> str:
    """The database column behind a column key (``child.class`` → ``class_id``)."""
    return "class_id" if key == "child.class" else key.split(".", 1)[1]


def table_of(key: str) -> Table:
    entity = key.split(".", 1)[0]
    model = {"child": Child, "guardian": Guardian}.get(entity, Parent)
    return model.__table__  # type: ignore[return-value]


def canonical(column: Column, value: Any) -> Any:
    """``value`` as :meth:`Column.parse` would give it: codes for labels, lists in vocabulary
    order, empty text as None, defaults for fields that cannot be empty."""
    if column.kind is Kind.CHOICES:
        assert column.vocabulary is not None
        codes = {column.vocabulary.parse(str(v)) or str(v) for v in value or ()}
        return [code for code in column.vocabulary if code in codes] + sorted(
            codes - set(column.vocabulary)
        )
    if value is None or (isinstance(value, str) and not value.strip()):
        return EMPTY_VALUES.get(column.key)
    if column.kind is Kind.CHOICE and column.vocabulary is not None:
        # Older records may hold a label (男) where a code (male) is meant.
        return column.vocabulary.parse(str(value)) or value
    if column.kind is Kind.ID_NUMBER:
        return str(value).strip().upper()
    if isinstance(value, str):
        return value.strip()
    return value


@dataclass
class StoredCard:
    child_id: int
    class_id: int
    values: dict[str, Any] = field(default_factory=dict)  # column key -> canonical value
    guardian_id: int | None = None
    parent_ids: dict[str, int] = field(default_factory=dict)  # "father"/"mother" -> parent id


def load_cards(
    session: Session, school_id: int, student_nos: Iterable[str]
) -> dict[str, StoredCard]:
    """The stored cards of this school's children with these student numbers, by number."""
    cards: dict[str, StoredCard] = {}
    child = Child.__table__
    child_fields = [c for c in RECORD_COLUMNS if c.entity == "child"]
    for batch in batches(student_nos):
        query = select(
            child.c.id,
            child.c.student_no,
            child.c.class_id,
            *(child.c[table_column(c.key)] for c in child_fields),
        ).where(child.c.school_id == school_id, child.c.student_no.in_(batch))
        by_id: dict[int, StoredCard] = {}
        for row in session.execute(query):
            card = StoredCard(row[0], row[2])
            for column, value in zip(child_fields, row[3:], strict=True):
                card.values[column.key] = canonical(column, value)
            cards[row[1]] = by_id[row[0]] = card
        _add_guardians(session, by_id)
        _add_parents(session, by_id)
    return cards


def _add_guardians(session: Session, cards: dict[int, StoredCard]) -> None:
    guardian = Guardian.__table__
    columns = [c for c in RECORD_COLUMNS if c.entity == "guardian"]
    query = select(
        guardian.c.id, guardian.c.child_id, *(guardian.c[c.field] for c in columns)
    ).where(guardian.c.child_id.in_(list(cards)))
    for row in session.execute(query):
        card = cards[row[1]]
        card.guardian_id = row[0]
        for column, value in zip(columns, row[2:], strict=True):
            card.values[column.key] = canonical(column, value)


def _add_parents(session: Session, cards: dict[int, StoredCard]) -> None:
    parent = Parent.__table__
    fields = [c.field for c in RECORD_COLUMNS if c.entity == "father"]
    query = select(
        parent.c.id, parent.c.child_id, parent.c.relation, *(parent.c[f] for f in fields)
    ).where(parent.c.child_id.in_(list(cards)), parent.c.relation.in_(PARENTS))
    for row in session.execute(query):
        card = cards[row[1]]
        card.parent_ids[row[2]] = row[0]
        for name, value in zip(fields, row[3:], strict=True):
            key = f"{row[2]}.{name}"
            card.values[key] = canonical(COLUMNS_BY_KEY[key], value)


def batches(keys: Iterable[Any]) -> Iterable[list[Any]]:
    iterator = iter(keys)
    while batch := list(islice(iterator, BATCH)):
        yield batch
