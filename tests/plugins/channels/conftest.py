"""Loopback servers and reminder messages for the channel tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from servers import SmtpRecorder, WebhookRecorder

from guanai import Content, Delivery, Label, Message, Recipient, Section

NOW = datetime(2026, 9, 14, 7, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback requests never go through a developer's HTTP proxy."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(autouse=True)
def _no_thread_outlives_its_test() -> Iterator[None]:
    """The loopback servers stop every thread they started, stalled requests included."""
    before = set(threading.enumerate())
    yield
    left = [thread for thread in threading.enumerate() if thread not in before]
    assert left == [], f"threads left running: {left}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpRecorder]:
    """A plain SMTP server without login."""
    with SmtpRecorder() as server:
        yield server


@pytest.fixture
def tls_smtp_server() -> Iterator[SmtpRecorder]:
    """An SMTP server requiring STARTTLS (trustme CA in ``ca_file``) and login."""
    with SmtpRecorder(tls="starttls", username="care", password="s3cret-pw") as server:
        yield server


@pytest.fixture
def webhook_server() -> Iterator[WebhookRecorder]:
    """A group-robot server without a signing secret."""
    with WebhookRecorder() as server:
        yield server


@pytest.fixture
def delivery() -> Delivery:
    return Delivery(session=None, now=NOW)


@pytest.fixture
def make_message() -> Callable[..., Message]:
    """``make_message(**changes)``: a daily digest for teacher #7 of school S01; keyword
    arguments replace recipient fields (email, phone, teacher_id, school_code), the
    ``language`` or the ``key``."""

    def make(
        *, language: str = "zh", key: str = "digest:7:2026-09-14", **changes: object
    ) -> Message:
        recipient = {
            "teacher_id": 7,
            "name": "李华",
            "email": "lihua@school.example",
            "phone": "138-0013-8000",
            "school_id": 1,
            "school_code": "S01",
            "school_name": "第一小学",
        } | changes
        content = Content(
            Label("今日关爱提醒", "Today's care reminders"),
            (
                Section(
                    Label("今天要做", "Due today"),
                    (
                        Label("与 王** 谈心", "Talk with Wang **"),
                        Label("家访 张**", "Visit Zhang **"),
                    ),
                    more=2,
                ),
            ),
        )
        return Message(
            id=1,
            key=key,
            kind="digest",
            channel="test",
            recipient=Recipient(**recipient),  # type: ignore[arg-type]
            content=content,
            language=language,  # type: ignore[arg-type]
        )

    return make
