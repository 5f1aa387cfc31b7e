"""The reminders' outbox and inbox."""

from __future__ import annotations

from guanai.service.base import ServiceBase


class ReminderActions(ServiceBase):
    """Reading the outbox and inbox, queueing failed reminders again."""
