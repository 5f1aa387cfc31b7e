"""A teacher's reminder by e-mail carries a sign-in link to their phone page, minted as it is
sent: it signs a phone in for a week, its token is in the message received and nowhere
guanai keeps (the outbox, the inbox, the log). Teachers without an account get no link and no
account; a group robot, which the whole group reads, carries none; without ``[feeds]
base_url`` there is no link at all."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from reminder_samples import at
from servers import SmtpRecorder, WebhookRecorder
from sqlalchemy import Engine, func, select

from guanai.core.config import FeedSettings, ReminderSettings, Settings
from guanai.core.db import transaction
from guanai.core.models import Account, InboxItem, OutboxMessage, Teacher, TeacherLink
from guanai.core.pm import build_plugin_manager
from guanai.core.reminders.dispatch import DispatchReport
from guanai.core.teacher_links import REMINDER, REMINDER_LINK_LIFETIME
from guanai.service import Guanai
from guanai.service.phone_sessions import PhoneSessions

NOW = at(date(2026, 9, 15), 8)
BASE = "https://guanai.school.example"
LINK = re.compile(r"https://guanai\.school\.example/t/([A-Za-z0-9_-]+)")
CHANNELS = ["inbox", "smtp", "webhook"]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback requests never go through a developer's HTTP proxy."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def smtp() -> Iterator[SmtpRecorder]:
    with SmtpRecorder() as server:
        yield server


@pytest.fixture
def robot() -> Iterator[WebhookRecorder]:
    with WebhookRecorder() as server:
        yield server


@dataclass
class School:
    """The planned demo school with its reminders queued, and the two teachers watched: one
    with a teacher's account, one without."""

    engine: Engine
    with_account: Teacher
    without_account: Teacher
    accounts: int


@pytest.fixture
def school(planned: Engine, run_tick: Callable[..., object]) -> School:
    run_tick(planned, NOW, Settings(reminders=ReminderSettings(channels=CHANNELS)))
    with transaction(planned) as session:
        recipients = session.scalars(
            select(OutboxMessage.recipient_id)
            .where(OutboxMessage.channel == "smtp", OutboxMessage.recipient_id.is_not(None))
            .distinct()
            .order_by(OutboxMessage.recipient_id)
        ).all()
        assert len(recipients) >= 2, "the tick queues e-mails to two teachers at least"
        first, second = (session.get_one(Teacher, r) for r in recipients[:2])
        session.add(
            Account(name="王老师", role="teacher", teacher_id=first.id, school_id=first.school_id)
        )
        session.flush()
        session.expunge_all()
        accounts = session.scalar(select(func.count()).select_from(Account)) or 0
    return School(planned, first, second, accounts)


def deliver(
    engine: Engine, smtp: SmtpRecorder, robot: WebhookRecorder, base_url: str
) -> DispatchReport:
    """One round of ``guanai run`` on these settings: the dispatcher the service opens."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        feeds=FeedSettings(base_url=base_url),
        reminders=ReminderSettings(channels=CHANNELS),
        channels={
            "smtp": smtp.channel_settings(),
            "webhook": {"flavour": "wecom", "url": robot.url(), "mention": False},
        },
    )
    service = Guanai(settings, build_plugin_manager(load_entry_points=False), "t", engine=engine)
    dispatcher = service.open_dispatcher("w1")
    try:
        return dispatcher.dispatch(NOW)
    finally:
        for channel in dispatcher.channels.values():
            channel.close()


def mails_to(smtp: SmtpRecorder, teacher: Teacher) -> list[str]:
    bodies = [
        mail.message.get_content() for mail in smtp.messages if teacher.email in mail.recipients
    ]
    assert bodies, f"no e-mail reached {teacher.code}"
    return bodies


def kept(engine: Engine) -> str:
    """Everything guanai stores of the reminders: outbox and inbox payloads."""
    with transaction(engine) as session:
        payloads = [*session.scalars(select(OutboxMessage.payload))]
        payloads += [*session.scalars(select(InboxItem.payload))]
    return json.dumps(payloads, ensure_ascii=False)


def test_a_teachers_email_carries_a_link_that_signs_in_for_a_week_and_is_kept_nowhere(
    school: School,
    smtp: SmtpRecorder,
    robot: WebhookRecorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    report = deliver(school.engine, smtp, robot, BASE + "/")
    assert report.sent > 0 and report.failed == report.retried == 0

    bodies = mails_to(smtp, school.with_account)
    tokens = [token for body in bodies for token in LINK.findall(body)]
    assert len(tokens) == len(bodies) == len(set(tokens))  # one link per delivery
    assert all("在手机上打开你的任务并记录（本链接一周内有效，请勿转发）：" in b for b in bodies)
    a_week_on = NOW + REMINDER_LINK_LIFETIME + timedelta(minutes=1)
    for token in tokens:
        assert PhoneSessions(school.engine, clock=lambda: NOW).sign_in(token) is not None
        assert PhoneSessions(school.engine, clock=lambda: a_week_on).sign_in(token) is None

    stored = kept(school.engine)
    assert "/t/" not in stored and not any(token in stored for token in tokens)
    assert not any(token in caplog.text for token in tokens)
    with transaction(school.engine) as session:
        links = session.scalars(select(TeacherLink)).all()
        owners = {session.get_one(Account, link.account_id).name for link in links}
        assert owners == {"王老师"} and len(links) == len(tokens)
        assert {(link.purpose, link.created_by) for link in links} == {(REMINDER, "w1")}
        assert all(link.expires_at - link.created_at == REMINDER_LINK_LIFETIME for link in links)
        assert session.scalar(select(func.count()).select_from(Account)) == school.accounts


def test_no_link_for_a_teacher_without_an_account_nor_in_a_group_robots_post(
    school: School, smtp: SmtpRecorder, robot: WebhookRecorder
) -> None:
    deliver(school.engine, smtp, robot, BASE)
    assert not any("/t/" in body for body in mails_to(smtp, school.without_account))
    posts = [request.body for request in robot.accepted()]
    assert posts and "/t/" not in json.dumps(posts, ensure_ascii=False)
    with transaction(school.engine) as session:
        assert session.scalar(select(func.count()).select_from(Account)) == school.accounts


def test_without_a_base_url_reminders_carry_no_link(
    school: School, smtp: SmtpRecorder, robot: WebhookRecorder
) -> None:
    deliver(school.engine, smtp, robot, "")
    assert not any("/t/" in body for body in mails_to(smtp, school.with_account))
    with transaction(school.engine) as session:
        assert session.scalar(select(func.count()).select_from(TeacherLink)) == 0
