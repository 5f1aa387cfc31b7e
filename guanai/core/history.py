"""A record's history: every changed field of a child's record, kept, never overwritten.

Writers (the roster import, pairing, a dashboard edit) compute what changed and hand the
changes here in one batch, inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from guanai.core.models import RecordChange


@dataclass(frozen=True)
class Change:
    child_id: int
    field: str  # e.g. "child.home_address", "guardian.phone", "pairing.teacher"
    old: Any
    new: Any


def as_text(value: Any) -> str | None:
    """How a value is kept in the history: dates in ISO form, lists joined by commas."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def record_changes(
    session: Session, changes: Iterable[Change], *, actor: str, source: str, now: datetime
) -> int:
    """Keep ``changes`` in the history; return how many were kept."""
    rows = [
        {
            "child_id": change.child_id,
            "field": change.field,
            "old_value": as_text(change.old),
            "new_value": as_text(change.new),
            "changed_at": now,
            "changed_by": actor,
            "source": source[:300],
        }
        for change in changes
    ]
    for start in range(0, len(rows), 10_000):
        session.execute(insert(RecordChange), rows[start : start + 10_000])
    return len(rows)
