"""Dispatching: every ready reminder is sent once, failures are retried with backoff and then
marked failed (never dropped), a failure after the server may have taken the message marks
the row as possibly delivered, the inbox stores each reminder exactly once, and a third-party
channel is a plugin like the built-in ones."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from reminder_samples import at
from sqlalchemy import Engine, func, select

from guanai import Channel, ChannelOptions, Delivery, DeliveryError, Label, Message, hookimpl
from guanai.core.config import ReminderSettings, Settings
from guanai.core.db import transaction
from guanai.core.models import AuditEvent, InboxItem, OutboxMessage
from guanai.core.pm import build_plugin_manager
from guanai.core.reminders.channels import open_channels
from guanai.core.reminders.dispatch import Dispatcher
from guanai.core.reminders.outbox import may_have_been_delivered, retry_failed

NOW = at(date(2026, 9, 15), 8)
REMINDERS = ReminderSettings(channels=["inbox", "recorder"], max_attempts=3, retry_after_seconds=60)
SETTINGS = Settings(reminders=REMINDERS)


class RecorderChannel(Channel):
    """A third-party channel: remembers what it sent; raises ``error`` while ``failures``
    says so."""

    name = "recorder"
    title = Label("记录器", "Recorder")

    def __init__(self, options: ChannelOptions) -> None:
        super().__init__(options)
        self.sent: list[Message] = []
        self.failures = 0
        self.error: Exception = ConnectionRefusedError("server down")
        self.permanent = False

    def send(self, message: Message, delivery: Delivery) -> None:
        assert delivery.session is None, "only database channels get the transaction"
        if self.permanent:
            raise DeliveryError(Label("地址无效", "bad address"), permanent=True)
        if self.failures:
            self.failures -= 1
            raise self.error
        self.sent.append(message)


class RecorderPlugin:
    @hookimpl
    def register_channels(self, register):  # type: ignore[no-untyped-def]
        register(RecorderChannel)


@pytest.fixture
def channels() -> dict[str, Channel]:
    pm = build_plugin_manager(load_entry_points=False)
    pm.register(RecorderPlugin(), name="recorder-plugin")
    return open_channels(pm.channel_types(), SETTINGS)


@pytest.fixture
def queued(planned: Engine, run_tick) -> Engine:  # type: ignore[no-untyped-def]
    assert run_tick(planned, NOW, SETTINGS).reminders_queued > 0
    return planned


def dispatcher(engine: Engine, channels: dict[str, Channel], worker: str = "w1") -> Dispatcher:
    return Dispatcher(engine, channels, REMINDERS, worker, "zh")


def recorder_rows(engine: Engine) -> list[tuple[str, int, str | None]]:
    """(state, attempts, last_error) of every row of the recorder channel."""
    with transaction(engine) as session:
        query = select(OutboxMessage.state, OutboxMessage.attempts, OutboxMessage.last_error)
        return [tuple(r) for r in session.execute(query.where(OutboxMessage.channel == "recorder"))]


def states(engine: Engine, channel: str | None = None) -> Counter[str]:
    with transaction(engine) as session:
        query = select(OutboxMessage.state)
        if channel:
            query = query.where(OutboxMessage.channel == channel)
        return Counter(session.scalars(query))


def test_every_reminder_is_sent_once_through_its_channel(queued, channels):
    report = dispatcher(queued, channels).dispatch(NOW)
    recorder = channels["recorder"]
    assert report.sent == sum(states(queued).values()) == 2 * len(recorder.sent)
    assert states(queued) == {"sent": report.sent}
    assert len({m.key for m in recorder.sent}) == len(recorder.sent)
    with transaction(queued) as session:
        assert session.scalar(select(func.count()).select_from(InboxItem)) == len(recorder.sent)
    again = dispatcher(queued, channels).dispatch(NOW + timedelta(hours=1))
    assert again.sent == 0 and len(recorder.sent) == report.sent // 2


def test_a_failed_send_is_retried_with_growing_waits_then_delivered(queued, channels):
    recorder = channels["recorder"]
    total = states(queued, "recorder").total()
    recorder.failures = 2 * total
    first = dispatcher(queued, channels).dispatch(NOW)
    assert first.retried == total and recorder.sent == []
    assert dispatcher(queued, channels).dispatch(NOW + timedelta(seconds=30)).retried == 0
    with transaction(queued) as session:
        waits = [
            m.next_attempt_at - NOW
            for m in session.scalars(
                select(OutboxMessage).where(OutboxMessage.channel == "recorder")
            )
        ]
    assert all(timedelta(seconds=60) <= w <= timedelta(seconds=87) for w in waits)
    second = dispatcher(queued, channels).dispatch(NOW + timedelta(minutes=2))
    assert second.retried == total
    third = dispatcher(queued, channels).dispatch(NOW + timedelta(minutes=10))
    assert third.sent == total and len(recorder.sent) == total
    assert states(queued, "recorder") == {"sent": total}


def test_after_its_last_try_a_reminder_is_failed_and_shown_then_retried_on_request(
    queued, channels
):
    recorder = channels["recorder"]
    total = states(queued, "recorder").total()
    recorder.failures = 10**6
    for minutes in (0, 5, 30):
        dispatcher(queued, channels).dispatch(NOW + timedelta(minutes=minutes))
    assert states(queued, "recorder") == {"failed": total}
    with transaction(queued) as session:
        errors = set(
            session.scalars(
                select(OutboxMessage.last_error).where(OutboxMessage.channel == "recorder")
            )
        )
    assert errors == {"ConnectionRefusedError: server down"}
    recorder.failures = 0
    assert dispatcher(queued, channels).dispatch(NOW + timedelta(days=1)).sent == 0
    with transaction(queued) as session:
        assert retry_failed(session, None, actor="协调员", now=NOW) == total
        assert session.scalars(select(AuditEvent.action)).all()[-1] == "outbox-retry"
    assert dispatcher(queued, channels).dispatch(NOW + timedelta(days=1)).sent == total
    assert len(recorder.sent) == total


def test_a_permanent_failure_is_not_retried(queued, channels):
    channels["recorder"].permanent = True
    report = dispatcher(queued, channels).dispatch(NOW)
    total = states(queued, "recorder").total()
    assert report.failed == total and states(queued, "recorder") == {"failed": total}
    with transaction(queued) as session:
        attempts = set(
            session.scalars(
                select(OutboxMessage.attempts).where(OutboxMessage.channel == "recorder")
            )
        )
    assert attempts == {1}


UNANSWERED = DeliveryError(
    Label("服务器收到了消息但没有回答", "the server was sent the message but gave no answer"),
    possibly_delivered=True,
)


def test_a_send_that_may_have_arrived_is_retried_and_stays_marked_until_sent(queued, channels):
    recorder = channels["recorder"]
    total = states(queued, "recorder").total()
    recorder.failures, recorder.error = total, UNANSWERED
    assert dispatcher(queued, channels).dispatch(NOW).retried == total
    [(state, attempts, error)] = set(recorder_rows(queued))
    assert (state, attempts) == ("pending", 1) and may_have_been_delivered(error)
    assert error.endswith("(可能已送达 / may have been delivered)")
    assert error.startswith("服务器收到了消息但没有回答 / the server was sent the message")

    recorder.failures, recorder.error = total, ConnectionRefusedError("server down")
    assert dispatcher(queued, channels).dispatch(NOW + timedelta(minutes=2)).retried == total
    [(_, _, error)] = set(recorder_rows(queued))
    assert error == (
        "ConnectionRefusedError: server down"
        " (之前的一次可能已送达 / an earlier attempt may have been delivered)"
    )
    assert may_have_been_delivered(error), "the copy that may have arrived is still out there"

    assert dispatcher(queued, channels).dispatch(NOW + timedelta(minutes=10)).sent == total
    [(state, attempts, error)] = set(recorder_rows(queued))
    assert (state, attempts) == ("sent", 3) and may_have_been_delivered(error)


@pytest.mark.parametrize(
    ("error", "possibly"),
    [
        (TimeoutError("timed out"), True),  # guanai cannot tell when a bare time-out struck
        (DeliveryError(Label("超时", "timed out")), False),  # the channel knows it did not arrive
        (ConnectionRefusedError("server down"), False),
    ],
)
def test_only_a_failure_after_the_message_may_have_arrived_is_marked(
    queued, channels, error, possibly
):
    recorder = channels["recorder"]
    recorder.failures, recorder.error = 10**6, error
    dispatcher(queued, channels).dispatch(NOW)
    assert {may_have_been_delivered(e) for _, _, e in recorder_rows(queued)} == {possibly}


def test_a_marked_reminder_that_fails_for_good_is_still_marked(queued, channels):
    recorder = channels["recorder"]
    recorder.failures, recorder.error = 1, UNANSWERED
    dispatcher(queued, channels).dispatch(NOW)
    recorder.permanent = True
    assert dispatcher(queued, channels).dispatch(NOW + timedelta(minutes=2)).failed == 1
    [error] = [e for state, _, e in recorder_rows(queued) if state == "failed"]
    assert error.startswith("地址无效 / bad address") and may_have_been_delivered(error)


def test_rows_of_a_channel_that_is_not_enabled_wait(queued, channels):
    only_inbox = {"inbox": channels["inbox"]}
    dispatcher(queued, only_inbox).dispatch(NOW)
    assert set(states(queued, "recorder")) == {"pending"}
    assert set(states(queued, "inbox")) == {"sent"}


def test_a_channel_that_is_not_installed_stops_the_start_with_its_name():
    pm = build_plugin_manager(load_entry_points=False)
    settings = Settings(reminders=ReminderSettings(channels=["inbox", "pager"]), source="c.toml")
    with pytest.raises(Exception, match="pager") as error:
        open_channels(pm.channel_types(), settings)
    assert "inbox" in str(error.value), "lists what is installed"


def test_an_invalid_channel_is_reported_with_its_plugin_and_left_out():
    class Nameless(Channel):
        def send(self, message: Message, delivery: Delivery) -> None: ...

    class BadPlugin:
        @hookimpl
        def register_channels(self, register):  # type: ignore[no-untyped-def]
            register(Nameless)
            register(RecorderChannel)

    pm = build_plugin_manager(load_entry_points=False)
    pm.register(BadPlugin(), name="bad-plugin")
    assert {"inbox", "smtp", "webhook", "recorder"} <= set(pm.channel_types())
    assert [p.plugin for p in pm.problems] == ["bad-plugin"]
