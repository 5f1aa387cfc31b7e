"""E-mail over SMTP: each reminder is a plain-text UTF-8 message to the teacher's address.

One connection is kept open across sends (a digest run sends many) and checked with NOOP
before it is reused, so a connection the server dropped while idle is replaced instead of
failing a send. The reply code decides what a failure means: 5xx is permanent (the address
is refused, the login is wrong), 4xx and every network or TLS trouble is retried.

A failure after the server said "go ahead" (354) to DATA and before its answer to the
message (a time-out, a dropped connection) may mean the server has the message: it is
reported as possibly delivered, and the retry may deliver it twice. The Message-ID is
derived from the outbox's dedupe key, so such a second copy carries the same Message-ID and
can be recognised.
"""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
import ssl
import threading
from collections.abc import Callable
from datetime import UTC
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

from guanai import (
    Channel,
    ChannelOptions,
    Delivery,
    DeliveryError,
    Label,
    Message,
    Recipient,
    hookimpl,
)

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def reminder_hash(key: str) -> str:
    """The outbox key as it appears in headers: hashed, since the key holds record ids."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


class _Connection(smtplib.SMTP):
    """smtplib's client, knowing whether the message in hand may have reached the server."""

    handed_over = False
    """True from the server's 354 to DATA on: once the message follows, only the server's
    answer says whether it took it, so a failure then leaves it unknown."""

    def sendmail(self, *args: Any, **kwargs: Any) -> dict[str, tuple[int, bytes]]:
        self.handed_over = False
        return super().sendmail(*args, **kwargs)

    def getreply(self) -> tuple[int, bytes]:
        code, text = super().getreply()
        if code == 354:
            self.handed_over = True
        return code, text


class _TlsConnection(_Connection, smtplib.SMTP_SSL):
    """The same over TLS from the first byte."""


def _who(recipient: Recipient) -> Label:
    if recipient.teacher_id is None:
        return Label(
            f"学校 {recipient.school_code} 的协调员办公室",
            f"the coordinators' office of school {recipient.school_code}",
        )
    return Label(f"教师（编号 {recipient.teacher_id}）", f"teacher #{recipient.teacher_id}")


class SmtpChannel(Channel):
    name = "smtp"
    title = Label("电子邮件", "E-mail")
    personal = True  # to the teacher's own address: their reminders carry their sign-in link

    def __init__(self, options: ChannelOptions) -> None:
        super().__init__(options)
        self.host = options.string("host")
        self.security = options.choice("security", ("starttls", "tls", "none"), "starttls")
        self.port = options.integer("port", DEFAULT_PORTS[self.security])
        if not 0 < self.port < 65536:
            raise options.fail("port", "应为 1–65535", "must be 1 to 65535")
        self.username = options.optional_string("username")
        self.password = options.optional_string("password") or ""
        if (
            self.username
            and self.security == "none"
            and not options.boolean("allow_plain_login", False)
        ):
            raise options.fail(
                "security",
                "为 none，密码将以明文传输：请改用 starttls 或 tls，"
                "或明确设置 allow_plain_login = true",
                "is none, so the password would cross the network in clear: use starttls or"
                " tls, or set allow_plain_login = true explicitly",
            )
        for key, value in (("username", self.username), ("password", self.password)):
            if value and not value.isascii():
                # smtplib's AUTH PLAIN and LOGIN encode both as ASCII.
                raise options.fail(key, "只能含 ASCII 字符", "must be ASCII characters only")
        self.sender = self._sender(options)
        self.timeout = options.number("timeout", 30)
        self.context = self._tls_context(options)
        self._connection: _Connection | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _sender(options: ChannelOptions) -> Address:
        display_name, address = parseaddr(options.string("sender"))
        try:
            if "@" not in address:
                raise ValueError(address)
            return Address(display_name=display_name, addr_spec=address)
        except (ValueError, HeaderParseError):
            raise options.fail(
                "sender",
                "应为电子邮件地址，例如 关爱提醒 <care@school.example>",
                "must be an e-mail address, e.g. Care reminders <care@school.example>",
            ) from None

    @staticmethod
    def _tls_context(options: ChannelOptions) -> ssl.SSLContext:
        ca_file = options.optional_string("ca_file")
        if ca_file is not None and not Path(ca_file).expanduser().is_file():
            raise options.fail("ca_file", "不是文件", "is not a file")
        try:
            return ssl.create_default_context(
                cafile=str(Path(ca_file).expanduser()) if ca_file else None
            )
        except ssl.SSLError as error:
            raise options.fail(
                "ca_file", f"不是 PEM 格式的证书：{error}", f"is not a PEM bundle: {error}"
            ) from None

    def send(self, message: Message, delivery: Delivery) -> None:
        email = self.compose(message, delivery)
        with self._lock:
            try:
                self._open().send_message(email)
            except (smtplib.SMTPException, OSError) as error:
                handed_over = self._connection is not None and self._connection.handed_over
                self._drop()
                if handed_over and not isinstance(error, smtplib.SMTPResponseException):
                    raise self._unanswered(error) from error
                raise self._failure(error) from error
            except BaseException:
                self._drop()
                raise

    def compose(self, message: Message, delivery: Delivery) -> EmailMessage:
        """The e-mail for ``message``; DeliveryError (permanent) if it has no valid address."""
        recipient = message.recipient
        if not recipient.email:
            who = _who(recipient)
            raise DeliveryError(
                Label(f"{who.zh}没有电子邮箱", f"{who.en} has no e-mail address"), permanent=True
            )
        try:
            to = Address(display_name=recipient.name, addr_spec=recipient.email)
        except (ValueError, HeaderParseError):
            who = _who(recipient)
            raise DeliveryError(
                Label(
                    f"{who.zh}的电子邮箱地址无效", f"the e-mail address of {who.en} is not valid"
                ),
                permanent=True,
            ) from None
        hashed = reminder_hash(message.key)
        now = delivery.now if delivery.now.tzinfo else delivery.now.replace(tzinfo=UTC)
        email = EmailMessage()
        email["Subject"] = message.title
        email["From"] = self.sender
        email["To"] = to
        email["Date"] = format_datetime(now.astimezone())
        email["Message-ID"] = f"<{hashed}@guanai>"
        email["X-Guanai-Reminder"] = hashed
        email.set_content(message.text(), charset="utf-8")
        return email

    def _open(self) -> _Connection:
        """The kept connection if the server still answers it, else a new one."""
        if self._connection is not None:
            try:
                if self._connection.noop()[0] == 250:
                    return self._connection
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        self._connection = self._connect()
        return self._connection

    def _connect(self) -> _Connection:
        if self.security == "tls":
            connection: _Connection = _TlsConnection(
                self.host, self.port, timeout=self.timeout, context=self.context
            )
        else:
            connection = _Connection(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                connection.starttls(context=self.context)
            if self.username:
                connection.login(self.username, self.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _failure(self, error: smtplib.SMTPException | OSError) -> DeliveryError:
        """What ``error`` means for the reminder: permanent if retrying cannot help."""
        server = f"{self.host}:{self.port}"
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            code, reply = next(iter(error.recipients.values()))
            return self._refused(Label("拒收收件人", "refused the recipient"), code, reply)
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return self._refused(
                Label(
                    "拒绝登录（请检查 channels.smtp.username 和 password）",
                    "refused the login (check channels.smtp.username and password)",
                ),
                error.smtp_code,
                error.smtp_error,
            )
        if isinstance(error, smtplib.SMTPSenderRefused):
            return self._refused(
                Label(
                    "拒绝发件人（请检查 channels.smtp.sender）",
                    "refused the sender (check channels.smtp.sender)",
                ),
                error.smtp_code,
                error.smtp_error,
            )
        if isinstance(error, smtplib.SMTPResponseException):
            return self._refused(
                Label("拒绝了邮件", "refused the message"), error.smtp_code, error.smtp_error
            )
        if isinstance(error, smtplib.SMTPNotSupportedError):
            return DeliveryError(
                Label(
                    f"邮件服务器 {server} 不支持所需功能：{error}",
                    f"mail server {server} does not support what is needed: {error}",
                ),
                permanent=True,
            )
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return DeliveryError(
            Label(
                f"邮件服务器 {server} 暂时未能接收邮件，稍后重试：{reason}",
                f"mail server {server} did not take the message for now, will try again: {reason}",
            )
        )

    def _unanswered(self, error: smtplib.SMTPException | OSError) -> DeliveryError:
        """The message was sent but the server's answer never came: it may have it."""
        server = f"{self.host}:{self.port}"
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return DeliveryError(
            Label(
                f"邮件服务器 {server} 已收到邮件内容，但没有回答是否接收（{reason}），稍后重试",
                f"mail server {server} was sent the message but gave no answer ({reason});"
                " will try again",
            ),
            possibly_delivered=True,
        )

    def _refused(self, what: Label, code: int, reply: bytes | str) -> DeliveryError:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
        server = f"{self.host}:{self.port}"
        permanent = 500 <= code < 600
        later = Label("", "") if permanent else Label("，稍后重试", "; will try again")
        return DeliveryError(
            Label(
                f"邮件服务器 {server} {what.zh}：{code} {text}{later.zh}",
                f"mail server {server} {what.en}: {code} {text}{later.en}",
            ),
            permanent=permanent,
        )

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    self._connection.quit()
            self._drop()


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(SmtpChannel)
