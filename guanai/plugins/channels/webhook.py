"""Group robots: a reminder posted as JSON to a WeCom (企业微信) or DingTalk (钉钉) group robot.

Each school's group may have its own robot (``school_urls``); ``url`` serves the rest. One
HTTP request per reminder. The robot URL holds the robot's key, so it is never shown: error
messages name only the scheme and host.

Mentions: the robots can @-mention a teacher by mobile number only, and the two differ.
DingTalk Markdown messages take ``at.atMobiles`` and need ``@mobile`` in the text, so they stay
Markdown. WeCom Markdown messages cannot mention anyone; only WeCom text messages take
``mentioned_mobile_list``. So for WeCom, a reminder to a teacher with a mobile number (and
``mention`` on) is sent as plain text with the mention, and everything else as Markdown:
the teacher is notified at the cost of the formatting.

A failure once the request has been sent (no answer within ``timeout``, the connection
dropped before the answer) may mean the robot posted the message: it is reported as possibly
delivered. Neither robot API takes a message id or an idempotency key, so a resend cannot
carry the reminder's identity, and the robot posts a second copy.

Answers: HTTP 2xx with ``errcode`` 0 is success. A wrong robot key, signature or keyword
(WeCom 93000; DingTalk 300001, 300005, 310000) is permanent, as is any 4xx status but 429.
Everything else, rate limits (WeCom 45009, DingTalk 130101) and unknown codes included, is
retried.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from guanai import (
    Channel,
    ChannelOptions,
    Delivery,
    DeliveryError,
    Label,
    Message,
    hookimpl,
)

PERMANENT_ERRCODES = {
    "wecom": frozenset({93000}),  # invalid webhook url (wrong key)
    # token is not exist (300001, 300005); sign, keyword or IP check failed (310000)
    "dingtalk": frozenset({300001, 300005, 310000}),
}


def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64 HMAC-SHA256 of ``"{timestamp}\\n{secret}"`` keyed by the secret,
    URL-encoded."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def mobile_number(phone: str | None) -> str | None:
    """The 11-digit mainland mobile number in ``phone`` (robots mention by it), else None."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if re.fullmatch(r"1\d{10}", digits) else None


def _checked_url(options: ChannelOptions, key: str, url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise options.fail(
            key, "应为 http:// 或 https:// 网址", "must be an http:// or https:// URL"
        )
    return url


def _shown(url: str) -> str:
    """The part of a robot URL that may be shown: scheme and host, never the key."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


class WebhookChannel(Channel):
    name = "webhook"
    title = Label("群机器人", "Group robot (WeCom/DingTalk)")

    def __init__(self, options: ChannelOptions) -> None:
        super().__init__(options)
        # No default: an empty default makes the key required.
        self.flavour = options.choice("flavour", ("wecom", "dingtalk"), "")
        url = options.optional_string("url")
        self.url = _checked_url(options, "url", url) if url else None
        self.school_urls = {
            code: _checked_url(options, f"school_urls.{code}", school_url)
            for code, school_url in options.table("school_urls").items()
        }
        if self.url is None and not self.school_urls:
            raise options.fail(
                "url",
                "未设置（或为各校设置 school_urls）",
                "is not set (nor school_urls, one per school)",
            )
        self.secret = options.optional_string("secret")
        if self.secret and self.flavour != "dingtalk":
            raise options.fail("secret", "仅用于钉钉（加签）", "is only for dingtalk (signing)")
        self.mention = options.boolean("mention", True)
        self.timeout = options.number("timeout", 10)

    def send(self, message: Message, delivery: Delivery) -> None:
        url = self._url(message)
        body = json.dumps(self.payload(message), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read()
        except urllib.error.HTTPError as error:
            error.close()
            raise self._http_failure(url, error.code) from None
        except urllib.error.URLError as error:
            # urllib wraps what fails while connecting and sending: the robot has not got it.
            raise DeliveryError(
                Label(
                    f"暂时无法连接群机器人 {_shown(url)}：{error.reason}",
                    f"group robot {_shown(url)} cannot be reached for now: {error.reason}",
                )
            ) from None
        except (OSError, http.client.HTTPException) as error:
            # Raised as they are while waiting for or reading the answer: the request was sent.
            reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            raise DeliveryError(
                Label(
                    f"群机器人 {_shown(url)} 已收到消息，但没有回答是否接收（{reason}），稍后重试",
                    f"group robot {_shown(url)} was sent the message but gave no answer"
                    f" ({reason}); will try again",
                ),
                possibly_delivered=True,
            ) from None
        self._check_answer(url, answer)

    def payload(self, message: Message) -> dict[str, Any]:
        """The JSON the robot is sent for ``message``."""
        mobile = mobile_number(message.recipient.phone) if self.mention else None
        if self.flavour == "dingtalk":
            text = message.markdown() + (f"\n\n@{mobile}" if mobile else "")
            return {
                "msgtype": "markdown",
                "markdown": {"title": message.title, "text": text},
                "at": {"atMobiles": [mobile] if mobile else [], "isAtAll": False},
            }
        if mobile:
            return {
                "msgtype": "text",
                "text": {"content": message.text(), "mentioned_mobile_list": [mobile]},
            }
        return {"msgtype": "markdown", "markdown": {"content": message.markdown()}}

    def _url(self, message: Message) -> str:
        school = message.recipient.school_code
        url = self.school_urls.get(school, self.url)
        if url is None:
            raise DeliveryError(
                Label(
                    f"学校 {school} 没有群机器人：请设置 channels.webhook.school_urls.{school}"
                    " 或 channels.webhook.url",
                    f"school {school} has no group robot: set"
                    f" channels.webhook.school_urls.{school} or channels.webhook.url",
                ),
                permanent=True,
            )
        if self.secret:
            timestamp = int(time.time() * 1000)
            signature = dingtalk_signature(self.secret, timestamp)
            url += f"{'&' if '?' in url else '?'}timestamp={timestamp}&sign={signature}"
        return url

    def _http_failure(self, url: str, status: int) -> DeliveryError:
        permanent = 400 <= status < 500 and status != 429
        return DeliveryError(
            Label(
                f"群机器人 {_shown(url)} 返回 HTTP {status}",
                f"group robot {_shown(url)} answered HTTP {status}",
            ),
            permanent=permanent,
        )

    def _check_answer(self, url: str, answer: bytes) -> None:
        try:
            data = json.loads(answer)
            errcode = int(data["errcode"])
        except (ValueError, TypeError, KeyError):
            raise DeliveryError(
                Label(
                    f"群机器人 {_shown(url)} 的回答无法识别",
                    f"group robot {_shown(url)} gave an answer that is not understood",
                )
            ) from None
        if errcode == 0:
            return
        errmsg = str(data.get("errmsg", ""))[:200]
        permanent = errcode in PERMANENT_ERRCODES[self.flavour]
        hint = (
            Label(
                "（请检查机器人网址、加签密钥和关键词）",
                " (check the robot URL, secret and keywords)",
            )
            if permanent
            else Label("，稍后重试", "; will try again")
        )
        raise DeliveryError(
            Label(
                f"群机器人 {_shown(url)} 拒绝了消息：errcode {errcode} {errmsg}{hint.zh}",
                f"group robot {_shown(url)} refused the message: errcode {errcode} {errmsg}"
                f"{hint.en}",
            ),
            permanent=permanent,
        )


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(WebhookChannel)
