"""Every reminder arrives exactly once through a real SMTP server and a real robot webhook on
loopback, while both refuse connections, time out and fail, then recover.

The daemon runs a simulated week in-process; faults are switched on and off at fixed
simulated times, so the run is the same every time. The stalls here are the kind a client
can recover from without a duplicate: the server gives up before it has the message (an SMTP
server stalling before DATA, a gateway timing out before the robot). The other kind, where the
server has the message and the answer is lost, is the documented window
(tests/e2e/test_daemon_faults.py counts it).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from daemon_samples import SHANGHAI, plan_demo
from servers import SmtpRecorder, WebhookRecorder
from sqlalchemy import Engine, select

from guanai import ChannelOptions
from guanai.core.config import ReminderSettings, Settings
from guanai.core.db import transaction
from guanai.core.models import OutboxMessage
from guanai.core.pm import build_plugin_manager
from guanai.core.reminders.message import Content, Message, Recipient
from guanai.core.reminders.outbox import may_have_been_delivered
from guanai.daemon import Daemon, SimulatedClock
from guanai.plugins.channels.smtp import reminder_hash
from guanai.plugins.channels.webhook import WebhookChannel
from guanai.service import Guanai

pytestmark = pytest.mark.slow

MONDAY = date(2026, 9, 14)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


@dataclass
class ScriptedClock(SimulatedClock):
    """A simulated clock that runs ``script[t]`` when it reaches time t."""

    script: dict[datetime, Callable[[], None]] | None = None

    def wait(self, stop: threading.Event, seconds: float) -> None:
        super().wait(stop, seconds)
        if self.script and self.current in self.script:
            self.script[self.current]()


def test_every_reminder_arrives_exactly_once_through_refusals_timeouts_and_failures(
    engine: Engine,
):
    plan_demo(engine)
    with SmtpRecorder() as smtp, WebhookRecorder() as robot:
        settings = Settings(
            reminders=ReminderSettings(
                channels=["inbox", "smtp", "webhook"],
                retry_after_seconds=600,
                retry_max_seconds=3600,
                max_attempts=20,
            ),
            channels={
                "smtp": smtp.channel_settings(timeout=0.3),
                "webhook": {"flavour": "wecom", "url": robot.url(), "timeout": 0.3},
            },
        )

        def stall_both() -> None:
            smtp.recover()
            robot.recover()
            smtp.stall(5, accept=False)
            robot.stall(5, accept=False)

        def fail_some() -> None:
            smtp.recover()
            robot.recover()
            smtp.fail_next(7, code=451)
            robot.fail_next(3, status=502)
            robot.fail_next(4, errcode=45009)

        script = {
            at(MONDAY, 7): lambda: (smtp.refuse(), robot.refuse()),  # down at digest time
            at(MONDAY, 9): stall_both,
            at(MONDAY, 10): fail_some,
            at(MONDAY, 12): lambda: (smtp.recover(), robot.recover()),
            at(MONDAY + timedelta(days=2), 8): lambda: smtp.fail_next(3, code=421),
        }
        clock = ScriptedClock(
            at(MONDAY, 0), at(MONDAY + timedelta(days=5), 12), timedelta(hours=1), script
        )
        pm = build_plugin_manager(load_entry_points=False)
        service = Guanai(settings, pm, "daemon", engine=engine)
        Daemon(service, "w1", clock, threading.Event()).run()

        with transaction(engine) as session:
            rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
            assert {row.state for row in rows} == {"sent"}
            retried = [row for row in rows if row.attempts > 1]
            expected_mail = Counter(
                reminder_hash(r.dedupe_key) for r in rows if r.channel == "smtp"
            )
            webhook = WebhookChannel(ChannelOptions("webhook", settings.channels["webhook"], ""))
            expected_posts = Counter(
                repr(webhook.payload(_message(r))) for r in rows if r.channel == "webhook"
            )
        received_mail = Counter(smtp.keys())
        received_posts = Counter(repr(r.body) for r in robot.accepted())
        print(
            f"\nreminders: {len(rows)} rows, {len(retried)} needed retries; "
            f"mail {received_mail.total()} received for {expected_mail.total()}; "
            f"robot {received_posts.total()} accepted of {len(robot.requests)} requests "
            f"for {expected_posts.total()}"
        )
    assert retried, "the faults really made sends fail"
    assert received_mail == expected_mail, "every e-mail exactly once"
    assert received_posts == expected_posts, "every robot message exactly once"


def _message(row: OutboxMessage) -> Message:
    recipient = Recipient(row.recipient_id, "", None, None, row.school_id, "", "")
    content = Content.from_payload(row.payload)
    return Message(row.id, row.dedupe_key, row.kind, row.channel, recipient, content, "zh")


HELD = 3


def test_a_server_that_answers_after_the_timeout_gets_duplicates_each_marked(engine: Engine):
    """The other kind of stall: the server takes the message and answers only after the
    client's timeout (here never: it holds the answer until the client hangs up). Each such
    attempt left a copy with the server, so the retry delivers the message again, which no
    client can prevent; every row tried more than once says it may have been delivered, and
    no other row does."""
    plan_demo(engine)
    with SmtpRecorder() as smtp, WebhookRecorder() as robot:
        settings = Settings(
            reminders=ReminderSettings(channels=["smtp", "webhook"], retry_after_seconds=600),
            channels={
                "smtp": smtp.channel_settings(timeout=0.5),
                "webhook": {"flavour": "wecom", "url": robot.url(), "timeout": 0.5},
            },
        )
        smtp.hold_next(HELD)
        robot.hold_next(HELD)
        clock = SimulatedClock(at(MONDAY, 7), at(MONDAY, 12), timedelta(hours=1))
        pm = build_plugin_manager(load_entry_points=False)
        Daemon(Guanai(settings, pm, "daemon", engine=engine), "w1", clock, threading.Event()).run()

        with transaction(engine) as session:
            rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
        webhook = WebhookChannel(ChannelOptions("webhook", settings.channels["webhook"], ""))
        received = {
            "smtp": Counter(smtp.keys()),
            "webhook": Counter(repr(r.body) for r in robot.accepted()),
        }

    def identity(row: OutboxMessage) -> str:
        if row.channel == "smtp":
            return reminder_hash(row.dedupe_key)
        return repr(webhook.payload(_message(row)))

    marked = [row for row in rows if may_have_been_delivered(row.last_error)]
    print(f"\n{len(rows)} reminders, {len(marked)} marked as possibly delivered")
    assert {row.state for row in rows} == {"sent"}
    for channel in ("smtp", "webhook"):
        copies = Counter[str]()
        for row in rows:
            if row.channel == channel:
                copies[identity(row)] += row.attempts
        assert received[channel] == copies, f"{channel}: every attempt left a copy"
        tried = sum(row.attempts for row in rows if row.channel == channel)
        assert tried == sum(row.channel == channel for row in rows) + HELD
    assert marked == [row for row in rows if row.attempts > 1], "marked if and only if retried"
