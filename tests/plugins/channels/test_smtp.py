"""The smtp channel against a real SMTP server on loopback."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from servers import SmtpRecorder

from guanai import ChannelOptions, ConfigError, Delivery, DeliveryError, Message
from guanai.core.config import load_settings
from guanai.core.reminders.channels import open_channels
from guanai.plugins.channels.smtp import SmtpChannel

MakeMessage = Callable[..., Message]


def channel(settings: dict[str, Any]) -> SmtpChannel:
    return SmtpChannel(ChannelOptions("smtp", settings, "config.toml"))


def hashed(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def send_failure(smtp: SmtpChannel, message: Any, delivery: Delivery) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        smtp.send(message, delivery)
    return caught.value


def test_a_reminder_arrives_with_its_headers_and_chinese_body(
    smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    message = make_message()
    smtp = channel(smtp_server.channel_settings())
    smtp.send(message, delivery)
    smtp.close()

    [mail] = smtp_server.messages
    assert mail.sender == "care@school.example"
    assert mail.recipients == ("lihua@school.example",)
    email = mail.message
    assert email["Subject"] == "今日关爱提醒"
    assert email["From"].addresses[0].display_name == "关爱提醒"
    assert email["To"].addresses[0].display_name == "李华"
    assert email["To"].addresses[0].addr_spec == "lihua@school.example"
    assert email["Date"].datetime == delivery.now
    assert email["Message-ID"] == f"<{hashed(message.key)}@guanai>"
    assert smtp_server.keys() == [hashed(message.key)]
    assert email.get_content_type() == "text/plain"
    assert email.get_content_charset() == "utf-8"
    assert email.get_content() == message.text()
    assert "与 王** 谈心" in email.get_content()
    raw = email.as_bytes()
    assert message.key.encode() not in raw
    assert b"=?utf-8?" in raw.split(b"\n\n")[0]  # Chinese headers are encoded words


def test_an_english_reminder_is_in_english(
    smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    channel(smtp_server.channel_settings()).send(make_message(language="en"), delivery)

    email = smtp_server.messages[0].message
    assert email["Subject"] == "Today's care reminders"
    assert "Talk with Wang **" in email.get_content()
    assert "... and 2 more" in email.get_content()


def test_starttls_and_login_against_the_school_ca(
    tls_smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    smtp = channel(tls_smtp_server.channel_settings())
    smtp.send(make_message(), delivery)
    smtp.send(make_message(key="digest:7:2026-09-15"), delivery)  # over the kept connection

    assert tls_smtp_server.keys() == [hashed("digest:7:2026-09-14"), hashed("digest:7:2026-09-15")]


def test_a_certificate_from_an_unknown_ca_is_a_transient_failure(
    tls_smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    settings = tls_smtp_server.channel_settings()
    del settings["ca_file"]

    error = send_failure(channel(settings), make_message(), delivery)

    assert not error.permanent
    assert "certificate verify failed" in error.label.en
    assert tls_smtp_server.messages == []


def test_implicit_tls_with_login(make_message: MakeMessage, delivery: Delivery) -> None:
    with SmtpRecorder(tls="implicit", username="care", password="pw") as server:
        channel(server.channel_settings()).send(make_message(), delivery)

        assert len(server.messages) == 1


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("tls", 465), ("none", 25)])
def test_the_port_defaults_by_security(security: str, port: int) -> None:
    settings = {"host": "mail.school.example", "sender": "care@school.example"}

    assert channel(settings | {"security": security}).port == port


def test_a_wrong_password_is_permanent_and_says_to_check_the_settings(
    tls_smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    smtp = channel(tls_smtp_server.channel_settings(password="wrong"))

    error = send_failure(smtp, make_message(), delivery)

    assert error.permanent
    assert "535" in error.label.en
    assert "channels.smtp.username and password" in error.label.en


def test_logging_in_without_tls_is_refused_unless_allowed(
    make_message: MakeMessage, delivery: Delivery
) -> None:
    with SmtpRecorder(username="care", password="pw") as server:
        with pytest.raises(ConfigError) as caught:
            channel(server.channel_settings())
        assert "channels.smtp.security" in caught.value.label.en
        assert "allow_plain_login" in caught.value.label.zh

        channel(server.channel_settings(allow_plain_login=True)).send(make_message(), delivery)
        assert len(server.messages) == 1


@pytest.mark.parametrize(
    ("changes", "zh", "en"),
    [
        ({"email": None}, "教师（编号 7）没有电子邮箱", "teacher #7 has no e-mail address"),
        (
            {"email": "", "teacher_id": None},
            "学校 S01 的协调员办公室没有电子邮箱",
            "the coordinators' office of school S01 has no e-mail address",
        ),
        (
            {"email": "not an address"},
            "教师（编号 7）的电子邮箱地址无效",
            "the e-mail address of teacher #7 is not valid",
        ),
    ],
)
def test_a_recipient_without_a_usable_address_is_permanent(
    smtp_server: SmtpRecorder,
    make_message: MakeMessage,
    delivery: Delivery,
    changes: dict[str, Any],
    zh: str,
    en: str,
) -> None:
    error = send_failure(channel(smtp_server.channel_settings()), make_message(**changes), delivery)

    assert error.permanent
    assert error.label == (zh, en)


def test_a_refused_recipient_is_permanent(
    smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    smtp_server.reject_recipients(550)

    error = send_failure(channel(smtp_server.channel_settings()), make_message(), delivery)

    assert error.permanent
    assert "refused the recipient: 550" in error.label.en


def test_a_temporary_refusal_is_retried_and_the_next_try_arrives(
    smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    smtp = channel(smtp_server.channel_settings())
    smtp_server.fail_next(1, code=451)

    error = send_failure(smtp, make_message(), delivery)
    assert not error.permanent
    assert not error.possibly_delivered, "the server answered: it did not take the message"
    assert "451" in error.label.en

    smtp.send(make_message(), delivery)
    assert smtp_server.keys() == [hashed("digest:7:2026-09-14")]


def test_a_server_that_refuses_connections_is_transient_until_it_recovers(
    smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    smtp = channel(smtp_server.channel_settings())
    smtp.send(make_message(key="first"), delivery)
    smtp_server.refuse()

    error = send_failure(smtp, make_message(key="second"), delivery)
    assert not error.permanent and not error.possibly_delivered
    assert "ConnectionRefusedError" in error.label.en
    assert f"127.0.0.1:{smtp_server.port}" in error.label.zh

    smtp_server.recover()
    smtp.send(make_message(key="second"), delivery)
    assert smtp_server.keys() == [hashed("first"), hashed("second")]


def test_a_connection_dropped_while_idle_is_replaced_without_failing(
    smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    smtp = channel(smtp_server.channel_settings())
    smtp.send(make_message(key="first"), delivery)
    smtp_server.refuse()  # cuts the kept connection
    smtp_server.recover()

    smtp.send(make_message(key="second"), delivery)

    assert smtp_server.keys() == [hashed("first"), hashed("second")]


def test_a_stalled_server_times_out_within_the_configured_timeout(
    smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    smtp = channel(smtp_server.channel_settings(timeout=0.5))
    smtp_server.stall(30)

    started = time.monotonic()
    error = send_failure(smtp, make_message(), delivery)
    assert time.monotonic() - started < 2
    assert not error.permanent
    assert error.possibly_delivered, "the stall came after the message was sent"
    assert "timed out" in error.label.en

    started = time.monotonic()
    smtp_server.close()  # a stall does not hold up shutdown
    assert time.monotonic() - started < 2


def test_a_server_that_has_the_message_but_never_answers_may_have_delivered_it(
    smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    smtp = channel(smtp_server.channel_settings(timeout=0.5))
    smtp_server.hold_next(1)  # takes the message, holds its answer until the client hangs up

    error = send_failure(smtp, make_message(), delivery)
    assert error.possibly_delivered and not error.permanent
    assert "was sent the message but gave no answer" in error.label.en
    assert "timed out" in error.label.en
    assert "已收到邮件内容" in error.label.zh

    smtp.send(make_message(), delivery)  # the retry: the server now has it twice
    first, second = (mail.message["Message-ID"] for mail in smtp_server.messages)
    assert first == second == f"<{hashed('digest:7:2026-09-14')}@guanai>"


def test_a_server_that_stalls_before_it_has_the_message_did_not_get_it(
    smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    smtp = channel(smtp_server.channel_settings(timeout=0.5))
    smtp.send(make_message(key="first"), delivery)  # the kept connection has sent one already
    smtp_server.stall(30, accept=False)  # before it answers RCPT

    error = send_failure(smtp, make_message(key="second"), delivery)
    assert not error.possibly_delivered and "timed out" in error.label.en
    assert smtp_server.keys() == [hashed("first")]


def test_close_quits_and_a_later_send_connects_again(
    smtp_server: SmtpRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    smtp = channel(smtp_server.channel_settings())
    smtp.send(make_message(key="first"), delivery)
    smtp.close()
    smtp.close()
    smtp.send(make_message(key="second"), delivery)

    assert smtp_server.keys() == [hashed("first"), hashed("second")]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"host": None}, "channels.smtp.host"),
        ({"sender": None}, "channels.smtp.sender"),
        ({"sender": "nobody"}, "channels.smtp.sender"),
        ({"security": "ssl"}, "channels.smtp.security"),
        ({"port": 70000}, "channels.smtp.port"),
        ({"port": "twenty-five"}, "channels.smtp.port"),
        ({"timeout": 0}, "channels.smtp.timeout"),
        ({"timeout": True}, "channels.smtp.timeout"),
        ({"timeout": "nan"}, "channels.smtp.timeout"),
        ({"timeout": float("inf")}, "channels.smtp.timeout"),
        ({"ca_file": "/no/such/ca.pem"}, "channels.smtp.ca_file"),
        ({"allow_plain_login": "perhaps"}, "channels.smtp.allow_plain_login"),
        ({"username": "care", "password": "密码"}, "channels.smtp.password"),
    ],
)
def test_a_wrong_setting_fails_at_start_naming_the_key(changes: dict[str, Any], key: str) -> None:
    settings = {"host": "mail.school.example", "sender": "care@school.example"} | changes
    if "allow_plain_login" in changes:
        settings |= {"security": "none", "username": "care"}
    settings = {name: value for name, value in settings.items() if value is not None}

    with pytest.raises(ConfigError) as caught:
        channel(settings)

    assert key in caught.value.label.zh
    assert key in caught.value.label.en


def test_a_ca_file_that_is_not_pem_is_a_config_error(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate")

    with pytest.raises(ConfigError, match=r"channels\.smtp\.ca_file"):
        channel({"host": "mail", "sender": "care@school.example", "ca_file": str(bundle)})


def test_the_password_and_port_can_come_from_the_environment(
    tls_smtp_server: SmtpRecorder,
    make_message: MakeMessage,
    delivery: Delivery,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[reminders]\nchannels = ["smtp"]\n\n[channels.smtp]\nhost = "127.0.0.1"\n'
        f'sender = "关爱提醒 <care@school.example>"\nusername = "{tls_smtp_server.username}"\n'
        f'ca_file = "{tls_smtp_server.ca_file}"\n',
        encoding="utf-8",
    )
    assert tls_smtp_server.password
    monkeypatch.setenv("GUANAI_CHANNEL_SMTP_PASSWORD", tls_smtp_server.password)
    monkeypatch.setenv("GUANAI_CHANNEL_SMTP_PORT", str(tls_smtp_server.port))

    opened = open_channels({"smtp": SmtpChannel}, load_settings(config))
    opened["smtp"].send(make_message(), delivery)

    assert len(tls_smtp_server.messages) == 1
