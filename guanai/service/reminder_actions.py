"""The reminders' outbox: listing it, counting it, queueing failed reminders again."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from guanai.core.models import OutboxMessage
from guanai.core.reminders.outbox import (
    FAILED,
    OutboxRow,
    list_outbox,
    outbox_counts,
    retry_failed,
)
from guanai.service.base import ServiceBase


class ReminderActions(ServiceBase):
    """The outbox as a coordinator sees it: of their school when they are bound to one."""

    def outbox(
        self,
        *,
        states: Sequence[str] | None = None,
        limit: int = 50,
        before_id: int | None = None,
    ) -> list[OutboxRow]:
        """Reminders newest first, a page of ``limit`` below ``before_id`` (no addresses)."""
        with self.reading("read_outbox") as (session, viewer):
            return list_outbox(
                session,
                states=states or None,
                school_id=viewer.school_id,
                limit=limit,
                before_id=before_id,
            )

    def outbox_counts(self) -> dict[tuple[str, str], int]:
        """Reminders per (state, channel)."""
        with self.reading("read_outbox") as (session, viewer):
            return outbox_counts(session, viewer.school_id)

    def retry_outbox(self, ids: Sequence[int] | None = None) -> int:
        """Queue failed reminders again (``ids`` None: every failed one the account may
        manage), audited under the acting account; how many were queued."""
        with self.acting("manage_outbox") as (session, viewer):
            chosen = None if ids is None else list(ids)
            if viewer.school_id is not None:
                query = select(OutboxMessage.id).where(
                    OutboxMessage.state == FAILED, OutboxMessage.school_id == viewer.school_id
                )
                if chosen is not None:
                    query = query.where(OutboxMessage.id.in_(chosen))
                chosen = list(session.scalars(query))
            return retry_failed(session, chosen, actor=self.actor, now=self.now())
