"""Sending what the outbox holds: claim a batch, send each message, record each result.

The order of a send is what keeps duplicates to the one window no outbox closes:

1. claim one row (a transaction: it is ``sending``, held by this dispatcher under a lease);
2. send, outside any transaction (a channel that stores in the database, the inbox, instead
   writes in the transaction of step 3, so it has no window at all);
3. record the result in a transaction of its own, at once, message by message.

The window has two sides. If the process dies between the server accepting a message and
step 3 committing, the row stays ``sending`` until its lease runs out (or, on SQLite, until
the next daemon starts) and is sent again. If the server took the message but its answer
did not come in time, the channel cannot know whether it arrived; it says so
(``DeliveryError(possibly_delivered=True)``), and the retry may deliver it a second time.
Either way the row is marked as possibly delivered. If only the database went away at step
3, the dispatcher keeps the result in memory and records it first when the database is back,
before its lease can run out, so that case does not duplicate.

A reminder to a teacher through a personal channel (one that reaches only its recipient, as
e-mail does) carries a sign-in link to the teacher's phone page when ``sign_in_url`` is set:
the link is minted in step 1's transaction (:mod:`guanai.core.reminders.sign_in`), so it
works by the time the message arrives, and it is added to the message sent, never to the
outbox row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from guanai.core.config import ReminderSettings
from guanai.core.db import transaction
from guanai.core.i18n import Label, Language
from guanai.core.models import OutboxMessage, School, Teacher
from guanai.core.reminders.channels import Channel, Delivery, DeliveryError
from guanai.core.reminders.message import Content, Message, Recipient
from guanai.core.reminders.outbox import COORDINATORS, backoff, claim, mark_failed, mark_sent
from guanai.core.reminders.sign_in import mint_reminder_token

log = logging.getLogger("guanai.reminders")


class LostClaim(Exception):
    """The row is no longer ours (its lease ran out and another dispatcher took it)."""


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0


@dataclass
class Dispatcher:
    """Delivers ready outbox rows of the enabled ``channels``, as ``worker``."""

    engine: Engine
    channels: Mapping[str, Channel]
    settings: ReminderSettings
    worker: str
    language: Language
    wall_clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)
    sign_in_url: Callable[[str], str] | None = field(default=None, repr=False)
    """How a teacher's sign-in token becomes the URL a reminder carries (``[feeds] base_url``
    and the link's path); None: reminders carry no link."""
    unrecorded: list[tuple[int, datetime]] = field(default_factory=list)

    def dispatch(
        self, now: datetime, should_stop: Callable[[], bool] = lambda: False
    ) -> DispatchReport:
        """Send until nothing is ready (or ``should_stop``); return what happened."""
        report = DispatchReport()
        self.record_unrecorded(report)
        lease = timedelta(seconds=self.settings.lease_seconds)
        while not should_stop():
            # One row at a time: only the message actually being sent is ever in flight, so
            # a dispatcher that dies strands (and may duplicate) that one message only.
            with transaction(self.engine) as session:
                claimed = claim(
                    session,
                    worker=self.worker,
                    now=now,
                    wall_now=self.wall_clock(),
                    limit=1,
                    lease=lease,
                    channels=list(self.channels),
                )
                message = self._message(session, claimed[0], now) if claimed else None
            if message is None:
                break
            self._deliver(message, now, report)
        return report

    def record_unrecorded(self, report: DispatchReport) -> None:
        """Record deliveries whose result could not be written when they happened."""
        while self.unrecorded:
            message_id, sent_at = self.unrecorded[0]
            with transaction(self.engine) as session:
                held = mark_sent(session, message_id, worker=self.worker, now=sent_at)
            self.unrecorded.pop(0)
            self._recorded(message_id, held, report)

    def _recorded(self, message_id: int, held: bool, report: DispatchReport) -> None:
        if held:
            report.sent += 1
        else:
            report.lost += 1
            log.warning("reminder.claim_lost", extra={"fields": {"id": message_id}})

    def _message(self, session: Session, message_id: int, now: datetime) -> Message:
        """The claimed row as a message, its recipient's address read now (not when queued),
        with a sign-in link minted for it when its channel and recipient allow one."""
        outbox, teacher, school = session.execute(
            select(OutboxMessage, Teacher, School)
            .join(School, School.id == OutboxMessage.school_id)
            .outerjoin(Teacher, Teacher.id == OutboxMessage.recipient_id)
            .where(OutboxMessage.id == message_id)
        ).one()
        recipient = Recipient(
            teacher.id if teacher else None,
            teacher.name if teacher else COORDINATORS.get(self.language),
            teacher.email if teacher else None,
            teacher.phone if teacher else None,
            school.id,
            school.code,
            school.name,
        )
        content = Content.from_payload(outbox.payload)
        return Message(
            outbox.id,
            outbox.dedupe_key,
            outbox.kind,
            outbox.channel,
            recipient,
            content,
            self.language,
            attempt=outbox.attempts,
            sign_in_url=self._sign_in_url(session, outbox.channel, teacher, now),
        )

    def _sign_in_url(
        self, session: Session, channel_name: str, teacher: Teacher | None, now: datetime
    ) -> str | None:
        """A new sign-in URL for a teacher reached through a personal channel, or None (no
        base URL, the coordinators' office, a shared channel, or no teacher's account)."""
        channel = self.channels[channel_name]
        if self.sign_in_url is None or teacher is None:
            return None
        if not channel.personal or channel.stores_in_database:
            return None
        token = mint_reminder_token(session, teacher.id, actor=self.worker[:100], now=now)
        return self.sign_in_url(token) if token is not None else None

    def _deliver(self, message: Message, now: datetime, report: DispatchReport) -> None:
        channel = self.channels[message.channel]
        fields = {"id": message.id, "kind": message.kind, "channel": message.channel}
        try:
            if channel.stores_in_database:
                self._deliver_in_database(channel, message, now)
                report.sent += 1
                log.info("reminder.sent", extra={"fields": fields})
                return
            channel.send(message, Delivery(None, now))
        except LostClaim:
            self._recorded(message.id, False, report)
            return
        except Exception as error:  # a channel's failure is data, never the daemon's end
            self._failed(message, error, now, report)
            return
        self.unrecorded.append((message.id, now))  # until the next line has committed
        self.record_unrecorded(report)
        log.info("reminder.sent", extra={"fields": fields})

    def _deliver_in_database(self, channel: Channel, message: Message, now: datetime) -> None:
        with transaction(self.engine) as session:
            channel.send(message, Delivery(session, now))
            if not mark_sent(session, message.id, worker=self.worker, now=now):
                raise LostClaim

    def _failed(
        self, message: Message, error: Exception, now: datetime, report: DispatchReport
    ) -> None:
        permanent = isinstance(error, DeliveryError) and error.permanent
        final = permanent or message.attempt >= self.settings.max_attempts
        possibly_delivered = _possibly_delivered(error)
        delay = backoff(
            message.attempt,
            timedelta(seconds=self.settings.retry_after_seconds),
            timedelta(seconds=self.settings.retry_max_seconds),
            message.id,
        )
        reason = _reason(error)
        with transaction(self.engine) as session:
            held = mark_failed(
                session,
                message.id,
                worker=self.worker,
                now=now,
                error=reason,
                final=final,
                retry_at=now + delay,
                possibly_delivered=possibly_delivered,
            )
        fields: dict[str, object] = {
            "id": message.id,
            "kind": message.kind,
            "channel": message.channel,
            "attempt": message.attempt,
            "error": reason,
            "possibly_delivered": possibly_delivered,
        }
        if not held:
            self._recorded(message.id, False, report)
        elif final:
            report.failed += 1
            log.error("reminder.failed", extra={"fields": fields})
        else:
            report.retried += 1
            fields["retry_in_seconds"] = int(delay.total_seconds())
            log.warning("reminder.retry", extra={"fields": fields})


def _possibly_delivered(error: Exception) -> bool:
    """Whether the message may have arrived despite ``error``: as the channel says, or, for a
    bare time-out it did not explain, yes (guanai cannot tell when it struck)."""
    if isinstance(error, DeliveryError):
        return error.possibly_delivered
    return isinstance(error, TimeoutError)


def _reason(error: Exception) -> str:
    """A one-line reason in both languages for a channel's error, or its type and text."""
    if isinstance(error, DeliveryError):
        label: Label = error.label
        return f"{label.zh} / {label.en}"[:500]
    return f"{type(error).__name__}: {error}".splitlines()[0][:500]
