"""One child's card and history as one viewer may see them (``guanai child show``).

Which values are shown in clear follows the one shared policy of every output
(:class:`guanai.core.roster.disclosure.Disclosure`): private values in clear only to a viewer
who sees the child in full (:func:`guanai.core.access.sees_in_full`, evaluated in SQL on this
child), names masked for a bureau viewer. The history keeps who changed what and when for
every viewer; its values follow the same policy, and a bureau viewer sees none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.access import Viewer, require_school, sees_in_full
from guanai.core.errors import NotFoundError
from guanai.core.i18n import Label, yes_no
from guanai.core.models import Child, RecordChange
from guanai.core.records import CREATED
from guanai.core.roster import cards
from guanai.core.roster.columns import CHILD_COLUMNS, Column, Kind
from guanai.core.roster.disclosure import Disclosure
from guanai.core.roster.stored import COLUMNS_BY_KEY

CREATED_LABEL = Label("建档", "record created")


@dataclass(frozen=True)
class CardLine:
    header: Label
    value: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    by: str
    field: Label
    old: str | None  # None: empty, or not shown to this viewer
    new: str | None
    source: str


@dataclass(frozen=True)
class ChildCard:
    student_no: str
    lines: list[CardLine]
    history: list[HistoryEntry]
    masked: bool  # something on the card is masked for this viewer
    history_values: bool  # the history's values are shown (not to a bureau viewer)


def child_card(session: Session, viewer: Viewer, school_id: int, student_no: str) -> ChildCard:
    """The card of the child ``student_no`` of ``school_id`` as ``viewer`` may see it."""
    require_school(viewer, school_id)
    query = cards.card_select(
        CHILD_COLUMNS,
        sees_in_full(viewer).label("full"),
        cards.pairing_teacher.name,
        cards.buddy.name,
    ).where(Child.school_id == school_id, Child.student_no == student_no)
    row = session.execute(query).first()
    if row is None:
        raise NotFoundError(
            Label(
                f"本校没有学号为 {student_no} 的学生", f"no student no. {student_no} at this school"
            )
        )
    child_id, full, teacher_name, buddy_name, *values = row
    disclosure = Disclosure(viewer, contacts=True, clear=True)
    in_clear = disclosure.in_clear(bool(full))
    lines = []
    for column, value in zip(CHILD_COLUMNS, values, strict=True):
        text = shown(disclosure, column, value, in_clear)
        if column.key == "pairing.teacher" and value and teacher_name:
            text = f"{text}（{teacher_name}）"
        elif column.key == "pairing.buddy" and value and buddy_name:
            text = f"{text}（{disclosure.name(buddy_name)}）"
        lines.append(CardLine(column.header, text))
    history = _history(session, disclosure, child_id, in_clear)
    masked = disclosure.masks_names or not in_clear
    return ChildCard(student_no, lines, history, masked, not viewer.is_bureau)


def shown(disclosure: Disclosure, column: Column, value: Any, in_clear: bool) -> str:
    """A card value as text in the current language, masked as ``disclosure`` says."""
    if value is None or value == [] or value == "":
        return ""
    if column.kind is Kind.BOOLEAN:
        return str(yes_no(value))
    if column.vocabulary is not None:  # coded columns are never private
        vocabulary = column.vocabulary
        codes = value if isinstance(value, list) else [value]
        labels = [
            vocabulary.label(code).get() if code in vocabulary else str(code)
            for code in (vocabulary.parse(str(c)) or c for c in codes)
        ]
        return str(Label("、".join(labels), ", ".join(labels)))
    cell = disclosure.cell(column, value, in_clear=in_clear)
    if cell is None:
        return ""
    return cell.isoformat() if hasattr(cell, "isoformat") else str(cell)


def _history(
    session: Session, disclosure: Disclosure, child_id: int, in_clear: bool
) -> list[HistoryEntry]:
    changes = session.scalars(
        select(RecordChange)
        .where(RecordChange.child_id == child_id)
        .order_by(RecordChange.changed_at, RecordChange.id)
    )
    entries = []
    for change in changes:
        column = COLUMNS_BY_KEY.get(change.field)
        label = column.header if column else CREATED_LABEL if change.field == CREATED else None
        old = new = None
        if not disclosure.viewer.is_bureau and column is not None:
            old = _history_value(disclosure, column, change.old_value, in_clear)
            new = _history_value(disclosure, column, change.new_value, in_clear)
        entries.append(
            HistoryEntry(
                change.changed_at,
                change.changed_by,
                label or Label(change.field, change.field),
                old,
                new,
                change.source,
            )
        )
    return entries


def _history_value(
    disclosure: Disclosure, column: Column, text: str | None, in_clear: bool
) -> str | None:
    """A value as the history keeps it (text), shown as the card would show it."""
    if text is None:
        return None
    value: Any = text
    if column.kind is Kind.CHOICES:
        value = [part for part in text.split(",") if part]
    elif column.kind is Kind.BOOLEAN:
        value = text == "true"
    return shown(disclosure, column, value, in_clear) or None
