"""The webhook channel against a real HTTP server answering like a group robot."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from servers import WebhookRecorder

from guanai import ChannelOptions, ConfigError, Delivery, DeliveryError, Message
from guanai.plugins.channels.webhook import WebhookChannel, dingtalk_signature, mobile_number

MakeMessage = Callable[..., Message]
ROBOT_KEY = "robot-key-693a91f6"


def channel(**settings: Any) -> WebhookChannel:
    return WebhookChannel(ChannelOptions("webhook", settings, "config.toml"))


def send_failure(robot: WebhookChannel, message: Message, delivery: Delivery) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        robot.send(message, delivery)
    return caught.value


@pytest.fixture
def dingtalk_server() -> Iterator[WebhookRecorder]:
    with WebhookRecorder(secret="SECtest-secret") as server:
        yield server


def test_wecom_gets_markdown_when_no_one_is_mentioned(
    webhook_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    message = make_message(phone=None)
    channel(flavour="wecom", url=webhook_server.url()).send(message, delivery)
    channel(flavour="wecom", url=webhook_server.url(), mention=False).send(make_message(), delivery)

    first, second = webhook_server.requests
    assert first.body == {"msgtype": "markdown", "markdown": {"content": message.markdown()}}
    assert first.body["markdown"]["content"].startswith("### 今日关爱提醒\n**今天要做**")
    assert second.body["msgtype"] == "markdown"
    assert first.content_type == "application/json; charset=utf-8"
    assert first.query == {"key": "test-robot-key"}


def test_wecom_mentions_the_teacher_by_mobile_in_a_text_message(
    webhook_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    message = make_message(phone="+86 138-0013-8000")
    channel(flavour="wecom", url=webhook_server.url()).send(message, delivery)

    assert webhook_server.requests[0].body == {
        "msgtype": "text",
        "text": {"content": message.text(), "mentioned_mobile_list": ["13800138000"]},
    }


def test_dingtalk_gets_signed_markdown_with_the_mention(
    dingtalk_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    message = make_message(language="en")
    robot = channel(flavour="dingtalk", url=dingtalk_server.url(), secret="SECtest-secret")

    robot.send(message, delivery)

    [request] = dingtalk_server.requests
    assert request.body == {
        "msgtype": "markdown",
        "markdown": {
            "title": "Today's care reminders",
            "text": message.markdown() + "\n\n@13800138000",
        },
        "at": {"atMobiles": ["13800138000"], "isAtAll": False},
    }
    assert request.signature_valid
    assert abs(int(request.query["timestamp"]) - time.time() * 1000) < 60_000
    assert request.query["key"] == "test-robot-key"


def test_dingtalk_without_a_secret_or_a_mobile_is_unsigned_and_mentions_no_one(
    dingtalk_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    channel(flavour="dingtalk", url=dingtalk_server.url()).send(
        make_message(phone="0551-1234567"), delivery
    )

    [request] = dingtalk_server.requests
    assert request.body["at"] == {"atMobiles": [], "isAtAll": False}
    assert "@" not in request.body["markdown"]["text"]
    assert "sign" not in request.query
    assert request.signature_valid is False


def test_a_signature_with_the_wrong_secret_is_told_apart(
    dingtalk_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    channel(flavour="dingtalk", url=dingtalk_server.url(), secret="SECother").send(
        make_message(), delivery
    )

    assert dingtalk_server.requests[0].signature_valid is False


def test_the_signature_follows_dingtalks_algorithm() -> None:
    # The value published with an independent implementation (the dingding Rust crate).
    expected = "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D"
    assert dingtalk_signature("secret", 1700000000000) == expected


@pytest.mark.parametrize(
    ("phone", "mobile"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86-138-0013-8000", "13800138000"),
        ("0551-1234567", None),
        ("", None),
        (None, None),
    ],
)
def test_only_mainland_mobile_numbers_are_mentioned(phone: str | None, mobile: str | None) -> None:
    assert mobile_number(phone) == mobile


def test_each_school_can_have_its_own_robot(
    webhook_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    robot = channel(
        flavour="wecom",
        url=webhook_server.url("default"),
        school_urls={"S02": webhook_server.url("school-2")},
    )
    robot.send(make_message(school_code="S01"), delivery)
    robot.send(make_message(school_code="S02"), delivery)

    assert [request.query["key"] for request in webhook_server.requests] == [
        "default",
        "school-2",
    ]


def test_a_school_without_a_robot_is_permanent(
    webhook_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    robot = channel(flavour="wecom", school_urls={"S02": webhook_server.url()})

    error = send_failure(robot, make_message(school_code="S01"), delivery)

    assert error.permanent
    assert "channels.webhook.school_urls.S01" in error.label.en
    assert webhook_server.requests == []


@pytest.mark.parametrize(
    ("flavour", "errcode", "permanent"),
    [
        ("wecom", 93000, True),  # invalid webhook url
        ("wecom", 45009, False),  # rate limit
        ("dingtalk", 300001, True),  # token is not exist
        ("dingtalk", 310000, True),  # sign or keyword check failed
        ("dingtalk", 130101, False),  # send too fast
        ("dingtalk", 4242, False),  # unknown: retried
    ],
)
def test_robot_errcodes_are_permanent_or_transient(
    webhook_server: WebhookRecorder,
    make_message: MakeMessage,
    delivery: Delivery,
    flavour: str,
    errcode: int,
    permanent: bool,
) -> None:
    webhook_server.reject(errcode)
    robot = channel(flavour=flavour, url=webhook_server.url(ROBOT_KEY))

    error = send_failure(robot, make_message(), delivery)

    assert error.permanent is permanent
    assert f"errcode {errcode}" in error.label.en
    assert ROBOT_KEY not in error.label.zh + error.label.en


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (503, False), (429, False), (404, True), (400, True)]
)
def test_http_errors_are_permanent_only_for_4xx_other_than_429(
    webhook_server: WebhookRecorder,
    make_message: MakeMessage,
    delivery: Delivery,
    status: int,
    permanent: bool,
) -> None:
    robot = channel(flavour="wecom", url=webhook_server.url(ROBOT_KEY))
    webhook_server.fail_next(1, status=status)

    error = send_failure(robot, make_message(), delivery)

    assert error.permanent is permanent
    assert f"HTTP {status}" in error.label.en
    assert ROBOT_KEY not in error.label.zh + error.label.en


def test_a_rate_limit_then_success(
    webhook_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    robot = channel(flavour="wecom", url=webhook_server.url())
    webhook_server.fail_next(1, errcode=45009)

    assert not send_failure(robot, make_message(), delivery).permanent
    robot.send(make_message(), delivery)

    assert [request.accepted for request in webhook_server.requests] == [False, True]


def test_a_server_that_refuses_connections_is_transient_until_it_recovers(
    webhook_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    robot = channel(flavour="wecom", url=webhook_server.url(ROBOT_KEY))
    webhook_server.refuse()

    error = send_failure(robot, make_message(), delivery)
    assert not error.permanent and not error.possibly_delivered
    assert "Connection refused" in error.label.en
    assert f"http://127.0.0.1:{webhook_server.port}" in error.label.zh
    assert ROBOT_KEY not in error.label.zh + error.label.en

    webhook_server.recover()
    robot.send(make_message(), delivery)
    assert len(webhook_server.accepted()) == 1


def test_a_stalled_server_times_out_within_the_configured_timeout(
    webhook_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    robot = channel(flavour="wecom", url=webhook_server.url(ROBOT_KEY), timeout=0.5)
    webhook_server.stall(30)

    started = time.monotonic()
    error = send_failure(robot, make_message(), delivery)
    assert time.monotonic() - started < 2
    assert not error.permanent
    assert error.possibly_delivered, "the request was sent: only the answer was late"
    assert "timed out" in error.label.en
    assert ROBOT_KEY not in error.label.zh + error.label.en

    started = time.monotonic()
    webhook_server.close()  # a stall does not hold up shutdown
    assert time.monotonic() - started < 2


def test_a_robot_that_has_the_message_but_never_answers_may_have_posted_it(
    webhook_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    robot = channel(flavour="wecom", url=webhook_server.url(ROBOT_KEY), timeout=0.5)
    webhook_server.hold_next(1)  # takes the request, holds its answer until the client hangs up

    error = send_failure(robot, make_message(), delivery)
    assert error.possibly_delivered and not error.permanent
    assert "was sent the message but gave no answer" in error.label.en
    assert "TimeoutError" in error.label.en
    assert ROBOT_KEY not in error.label.zh + error.label.en

    robot.send(make_message(), delivery)  # the retry: no id the robot could drop it by
    first, second = webhook_server.accepted()
    assert first.body == second.body and set(first.body) == {"msgtype", "text"}


def test_an_answer_that_is_not_a_robot_answer_is_transient(
    webhook_server: WebhookRecorder, make_message: MakeMessage, delivery: Delivery
) -> None:
    robot = channel(flavour="wecom", url=webhook_server.url())
    webhook_server.fail_next(1, status=200)  # 200 with a plain-text body

    assert not send_failure(robot, make_message(), delivery).permanent


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"url": "https://robot.example/send?key=k"}, "channels.webhook.flavour"),
        ({"flavour": "feishu", "url": "https://robot.example/"}, "channels.webhook.flavour"),
        ({"flavour": "wecom"}, "channels.webhook.url"),
        ({"flavour": "wecom", "url": "robot.example/send?key=k"}, "channels.webhook.url"),
        (
            {"flavour": "wecom", "school_urls": {"S01": "ftp://robot.example/k"}},
            "channels.webhook.school_urls.S01",
        ),
        (
            {"flavour": "wecom", "url": "https://r.example/", "secret": "SEC"},
            "channels.webhook.secret",
        ),
        (
            {"flavour": "wecom", "url": "https://r.example/", "mention": "yes"},
            "channels.webhook.mention",
        ),
        (
            {"flavour": "wecom", "url": "https://r.example/", "timeout": -1},
            "channels.webhook.timeout",
        ),
        (
            {"flavour": "wecom", "url": "https://r.example/", "timeout": "inf"},
            "channels.webhook.timeout",
        ),
    ],
)
def test_a_wrong_setting_fails_at_start_naming_the_key(settings: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        channel(**settings)

    assert key in caught.value.label.zh
    assert key in caught.value.label.en
    assert "key=k" not in caught.value.label.en
