"""The in-app inbox: reminders the dashboard shows, stored in guanai's own database.

It writes in the transaction that marks the reminder sent, so the inbox receives each
reminder exactly once, whatever happens to the process.
"""

from __future__ import annotations

from collections.abc import Callable

from guanai import Channel, Delivery, Label, Message, hookimpl


class InboxChannel(Channel):
    name = "inbox"
    title = Label("站内信", "In-app inbox")
    stores_in_database = True

    def send(self, message: Message, delivery: Delivery) -> None:
        delivery.to_inbox(message)


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(InboxChannel)
