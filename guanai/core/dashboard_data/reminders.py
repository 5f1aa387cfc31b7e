"""Reminders: the outbox by state and channel, one keyset page of it, and the office's inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from guanai.core.dashboard_data import Scope
from guanai.core.i18n import Label
from guanai.core.models import InboxItem
from guanai.core.reminders.message import Content
from guanai.core.reminders.outbox import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    OutboxRow,
    list_outbox,
    outbox_counts,
)

STATES = (PENDING, SENDING, SENT, FAILED)
STATE_LABELS = {
    "pending": Label("待发", "pending"),
    "sending": Label("发送中", "sending"),
    "sent": Label("已发", "sent"),
    "failed": Label("失败", "failed"),
}
KIND_LABELS = {
    "digest": Label("待办汇总", "digest"),
    "escalation": Label("上报", "escalation"),
    "weekly": Label("周报", "weekly"),
}


@dataclass(frozen=True)
class InboxLine:
    id: int
    kind: str
    title: Label
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class OutboxPage:
    """One page of the outbox (newest first) and the counts of the whole outbox."""

    counts: dict[str, dict[str, int]]  # state -> channel -> rows
    rows: list[OutboxRow]
    has_more: bool
    inbox: list[InboxLine]
    unread: int


def outbox_page(
    session: Session,
    scope: Scope,
    *,
    state: str | None,
    before_id: int | None,
    limit: int = 50,
    inbox_limit: int = 5,
) -> OutboxPage:
    counts: dict[str, dict[str, int]] = {s: {} for s in STATES}
    for (row_state, channel), n in outbox_counts(session, scope.school_id).items():
        counts.setdefault(row_state, {})[channel] = n
    rows = list_outbox(
        session,
        states=[state] if state else None,
        school_id=scope.school_id,
        limit=limit + 1,
        before_id=before_id,
    )
    office = (InboxItem.school_id == scope.school_id) & InboxItem.teacher_id.is_(None)
    inbox = session.execute(
        select(
            InboxItem.id, InboxItem.kind, InboxItem.payload, InboxItem.created_at, InboxItem.read_at
        )
        .where(office)
        .order_by(InboxItem.id.desc())
        .limit(inbox_limit)
    )
    unread = session.scalar(
        select(func.count()).select_from(InboxItem).where(office, InboxItem.read_at.is_(None))
    )
    return OutboxPage(
        counts,
        rows[:limit],
        len(rows) > limit,
        [
            InboxLine(i, kind, Content.from_payload(payload).title, at, read_at is not None)
            for i, kind, payload, at, read_at in inbox
        ],
        unread or 0,
    )


def mark_inbox_read(session: Session, scope: Scope, now: datetime) -> int:
    """Mark every unread item of the coordinators' office read; return how many."""
    result = session.execute(
        update(InboxItem)
        .where(
            InboxItem.school_id == scope.school_id,
            InboxItem.teacher_id.is_(None),
            InboxItem.read_at.is_(None),
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
