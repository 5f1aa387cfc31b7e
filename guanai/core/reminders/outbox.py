"""The outbox's life cycle: claim, mark sent or failed, list, retry.

A dispatcher *claims* ready rows in a short transaction (``state`` → ``sending``, with its
name and a lease), sends them outside any transaction, then records each result in a
transaction of its own, so at most one message is ever between "accepted by the server" and
"marked sent". On PostgreSQL the claim selects with ``FOR UPDATE SKIP LOCKED``, so two
dispatchers never claim the same row; SQLite ignores the clause, and one daemon at a time is
enforced there instead (guanai.daemon).

A message may have been delivered already when it is sent again in two cases, the window an
outbox cannot close (docs/reminders.md): a claim whose lease ran out (its dispatcher died)
is ready again, and a send that failed after the server may have taken the message (its
answer timed out) is retried. Both mark the row's ``last_error`` the same way (:func:`marked`),
and the mark stays through later failures, so every possible duplicate is listed as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal, or_, select, update
from sqlalchemy.orm import Session

from guanai.core.i18n import Label
from guanai.core.models import AuditEvent, OutboxMessage, OutboxState, Teacher
from guanai.core.reminders.message import Content

PENDING, SENDING, SENT, FAILED = (
    OutboxState.PENDING.value,
    OutboxState.SENDING.value,
    OutboxState.SENT.value,
    OutboxState.FAILED.value,
)
LAST_ERROR_LENGTH: int = OutboxMessage.__table__.c.last_error.type.length  # type: ignore[attr-defined]
POSSIBLY_DELIVERED = Label("可能已送达", "may have been delivered")
EARLIER_POSSIBLY_DELIVERED = Label(
    "之前的一次可能已送达", "an earlier attempt may have been delivered"
)
_MARK_END = f"{POSSIBLY_DELIVERED.en})"


def marked(reason: str, mark: Label = POSSIBLY_DELIVERED) -> str:
    """``reason`` as a ``last_error`` that says the message may have arrived already."""
    suffix = f" ({mark.zh} / {mark.en})"
    return reason[: LAST_ERROR_LENGTH - len(suffix)] + suffix


def may_have_been_delivered(last_error: str | None) -> bool:
    """Whether a row's ``last_error`` says its message may have arrived before (so that the
    copy sent since may be a duplicate). Rows marked before the mark was bilingual, with
    ``... (may have been delivered)``, count too."""
    return last_error is not None and last_error.endswith(_MARK_END)


INTERRUPTED = marked("中断：上一次发送没有完成 / interrupted: the previous attempt did not finish")


def _ready(now: datetime, wall_now: datetime) -> object:
    waiting = (OutboxMessage.state == PENDING) & or_(
        OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now
    )
    abandoned = (OutboxMessage.state == SENDING) & (OutboxMessage.lease_until < wall_now)
    return waiting | abandoned


def claim(
    session: Session,
    *,
    worker: str,
    now: datetime,
    wall_now: datetime,
    limit: int,
    lease: timedelta,
    channels: Sequence[str],
) -> list[int]:
    """Claim up to ``limit`` ready rows of ``channels`` for ``worker`` (oldest first).

    ``now`` is the engine's time (retries wait in it, so a simulated term retries in
    simulated time); the lease is always on the wall clock ``wall_now``, since it measures
    whether a real process is still alive. Rows of a channel that is not enabled stay pending
    (and listed) until it is.
    """
    ids = list(
        session.scalars(
            select(OutboxMessage.id)
            .where(_ready(now, wall_now), OutboxMessage.channel.in_(channels))  # type: ignore[arg-type]
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                last_error=case(
                    (OutboxMessage.state == SENDING, literal(INTERRUPTED)),
                    else_=OutboxMessage.last_error,
                ),
                state=SENDING,
                claimed_by=worker,
                lease_until=wall_now + lease,
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    return ids


def release_claims(session: Session, worker: str | None = None) -> int:
    """Make in-flight rows ready again: ``worker``'s (a daemon restarted under its stable
    name takes back what its previous life held), or, with None, every one (a database that
    one daemon owns, SQLite: any row still ``sending`` was left by a daemon that died)."""
    query = update(OutboxMessage).where(OutboxMessage.state == SENDING)
    if worker is not None:
        query = query.where(OutboxMessage.claimed_by == worker)
    result = session.execute(
        query.values(
            state=PENDING, lease_until=None, claimed_by=None, last_error=INTERRUPTED
        ).execution_options(synchronize_session=False)
    )
    return result.rowcount  # type: ignore[attr-defined, no-any-return]


def _held_by(message_id: int, worker: str) -> object:
    return (
        (OutboxMessage.id == message_id)
        & (OutboxMessage.state == SENDING)
        & (OutboxMessage.claimed_by == worker)
    )


def mark_sent(session: Session, message_id: int, *, worker: str, now: datetime) -> bool:
    """Record a delivery; False if ``worker`` no longer held the claim (its lease ran out)."""
    result = session.execute(
        update(OutboxMessage)
        .where(_held_by(message_id, worker))  # type: ignore[arg-type]
        .values(state=SENT, sent_at=now, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def backoff(attempts: int, base: timedelta, cap: timedelta, message_id: int) -> timedelta:
    """``base`` doubled per attempt, capped, spread by up to 45% by the message id so that a
    batch failed by one outage does not come back all at once."""
    delay = min(base * (2 ** max(0, attempts - 1)), cap)
    return delay * (1 + (message_id % 10) / 20)


def mark_failed(
    session: Session,
    message_id: int,
    *,
    worker: str,
    now: datetime,
    error: str,
    final: bool,
    retry_at: datetime,
    possibly_delivered: bool,
) -> bool:
    """Record a failed attempt: ``final`` marks the row failed, else it waits for ``retry_at``.

    ``possibly_delivered``: the failure came after the server may have taken the message, so
    ``error`` is recorded :func:`marked`. A row marked by an earlier attempt stays marked
    whatever this one's error was: the copy that may have arrived is still out there.
    """
    last_error: object
    if possibly_delivered:
        last_error = literal(marked(error))
    else:
        last_error = case(
            (
                OutboxMessage.last_error.like(f"%{_MARK_END}"),
                literal(marked(error, EARLIER_POSSIBLY_DELIVERED)),
            ),
            else_=literal(error[:LAST_ERROR_LENGTH]),
        )
    values = {"lease_until": None, "last_error": last_error}
    if final:
        values |= {"state": FAILED}
    else:
        values |= {"state": PENDING, "next_attempt_at": retry_at}
    result = session.execute(
        update(OutboxMessage)
        .where(_held_by(message_id, worker))  # type: ignore[arg-type]
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def retry_failed(session: Session, ids: Sequence[int] | None, *, actor: str, now: datetime) -> int:
    """Queue failed rows again (``ids`` None: all of them), with their attempts reset."""
    query = update(OutboxMessage).where(OutboxMessage.state == FAILED)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    result = session.execute(
        query.values(state=PENDING, attempts=0, next_attempt_at=None, claimed_by=None)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    requeued = sorted(result.scalars())
    if requeued:
        session.add(
            AuditEvent(
                at=now,
                actor=actor,
                action="outbox-retry",
                entity="outbox_message",
                entity_id=None,
                detail={"ids": requeued},
            )
        )
    return len(requeued)


@dataclass(frozen=True)
class OutboxRow:
    """One outbox row as the CLI and the dashboard list it (no address, no private data)."""

    id: int
    kind: str
    channel: str
    recipient: str
    school_id: int
    title: Label
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None

    @property
    def possibly_delivered(self) -> bool:
        """Whether an earlier attempt may have arrived: a copy sent since may be a duplicate."""
        return may_have_been_delivered(self.last_error)


COORDINATORS = Label("协调员办公室", "coordinators' office")


def list_outbox(
    session: Session,
    *,
    states: Sequence[str] | None = None,
    school_id: int | None = None,
    limit: int = 50,
    before_id: int | None = None,
) -> list[OutboxRow]:
    """Newest first, a keyset page of ``limit`` rows below ``before_id``."""
    query = select(OutboxMessage, Teacher.name).outerjoin(
        Teacher, Teacher.id == OutboxMessage.recipient_id
    )
    if states:
        query = query.where(OutboxMessage.state.in_(states))
    if school_id is not None:
        query = query.where(OutboxMessage.school_id == school_id)
    if before_id is not None:
        query = query.where(OutboxMessage.id < before_id)
    rows = session.execute(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()
    return [
        OutboxRow(
            m.id,
            m.kind,
            m.channel,
            name or str(COORDINATORS),
            m.school_id,
            Content.from_payload(m.payload).title,
            m.state,
            m.attempts,
            m.created_at,
            m.next_attempt_at,
            m.sent_at,
            m.last_error,
        )
        for m, name in rows
    ]


def outbox_counts(session: Session, school_id: int | None = None) -> dict[tuple[str, str], int]:
    """Rows per (state, channel), counted by the database."""
    query = select(OutboxMessage.state, OutboxMessage.channel, func.count()).group_by(
        OutboxMessage.state, OutboxMessage.channel
    )
    if school_id is not None:
        query = query.where(OutboxMessage.school_id == school_id)
    return {(state, channel): int(n) for state, channel, n in session.execute(query)}
