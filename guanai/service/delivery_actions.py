"""Delivering reminders: what the daemon asks of the service before and between its rounds."""

from __future__ import annotations

from guanai.core.reminders.channels import open_channels
from guanai.core.reminders.dispatch import Dispatcher
from guanai.core.reminders.outbox import release_claims
from guanai.service.base import ServiceBase
from guanai.service.link_actions import link_path


class DeliveryActions(ServiceBase):
    """Opening the reminder channels and taking back claims a dead daemon left."""

    def open_dispatcher(self, worker: str) -> Dispatcher:
        """A dispatcher over every channel in ``[reminders] channels``, claiming as
        ``worker``; its teachers' reminders carry sign-in links when ``[feeds] base_url`` is
        set. The caller closes its ``channels`` when done."""
        channels = open_channels(self.pm.channel_types(), self.settings)
        base = self.settings.feeds.base_url
        return Dispatcher(
            self.engine,
            channels,
            self.settings.reminders,
            worker,
            "en" if self.settings.language == "en" else "zh",
            sign_in_url=(lambda token: base.rstrip("/") + link_path(token)) if base else None,
        )

    def release_claims(self, worker: str | None) -> int:
        """Make the reminders ``worker`` (None: any worker) holds ready again; the count."""
        with self.acting("tick") as (session, _):
            return release_claims(session, worker)
