"""Loopback servers for channel tests: they record what they receive and fail on demand.

``SmtpRecorder`` is a real SMTP server (aiosmtpd), ``WebhookRecorder`` a real HTTP server
answering like a WeCom or DingTalk group robot. Both listen on 127.0.0.1 on a free port, run
in a background thread, and are context managers (or ``start()`` / ``close()``)::

    with SmtpRecorder(tls="starttls", username="care", password="pw") as server:
        channel = SmtpChannel(ChannelOptions("smtp", server.channel_settings(), "test"))
        server.fail_next(1)          # the next DATA gets 451
        ...
        assert server.keys() == [...]

Faults, switchable at any time from the test's thread:

- ``refuse()`` stops listening (a client gets "connection refused"); ``recover()`` listens
  again on the same port and clears every other fault too.
- ``fail_next(n, ...)`` fails the next n deliveries with a temporary error.
- ``stall(seconds)`` makes every delivery wait that long before it is answered, so a client
  with a shorter timeout gives up (``stall(0)`` or ``recover()`` ends it). Stopping the server
  cuts a stall short: shutting down never waits for one.
- ``hold_next(n)`` takes the next n messages (recorded at once) but holds each answer until
  the client hangs up: a server slower than any client timeout, waited on as an event rather
  than for a time, so a test of the duplicate window is the same on a busy machine.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import select
import socket
import ssl
import tempfile
import threading
import urllib.parse
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, Self

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ReceivedMail:
    """A message the SMTP server accepted: the envelope and the parsed message."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage


class SmtpRecorder:
    """An SMTP server that records every message it accepts in ``messages``.

    ``tls``: "none"; "starttls" (STARTTLS offered and required before MAIL); "implicit" (TLS
    from the first byte, as on port 465). The certificate is issued by a throwaway trustme CA
    whose PEM file is ``ca_file``, for the client to trust. With ``username`` and ``password``
    the server requires AUTH (PLAIN or LOGIN), after STARTTLS with "starttls".

    A stalled message is accepted (and recorded) when the stall ends, as a slow real server
    would deliver it after the client gave up: that is how duplicates arise.
    """

    def __init__(
        self,
        *,
        tls: Literal["none", "starttls", "implicit"] = "none",
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.tls = tls
        self.username = username
        self.password = password
        self.port = free_port()
        self.messages: list[ReceivedMail] = []
        self.ca_file: str | None = None
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._tls_context: ssl.SSLContext | None = None
        if tls != "none":
            self._directory = tempfile.TemporaryDirectory(prefix="guanai-smtp-")
            self._tls_context, self.ca_file = _trustme_context(Path(self._directory.name))
        self._controller: Controller | None = None
        self._faults_lock = threading.Lock()
        self._clear_faults()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        """Listen; returns the recorder so ``server = SmtpRecorder().start()`` reads well."""
        if self._controller is None:
            self._controller = self._new_controller()
            self._controller.start()
        return self

    def close(self) -> None:
        """Stop listening and remove the CA file; open connections are cut."""
        self._stop()
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- faults -----------------------------------------------------------------------------

    def refuse(self) -> None:
        """Stop listening: connections are refused (and open ones cut) until ``recover()``."""
        self._stop()

    def recover(self) -> None:
        """Listen again on the same port and clear every fault."""
        self._clear_faults()
        self.start()

    def fail_next(self, n: int = 1, code: int = 451) -> None:
        """Answer the next ``n`` DATA commands with ``code`` (a 4xx: try again later)."""
        with self._faults_lock:
            self._failures, self._failure_code = n, code

    def stall(self, seconds: float, *, accept: bool = True) -> None:
        """Wait ``seconds`` before answering each DATA command (the message is then accepted,
        after the client gave up: the duplicate window); with ``accept=False`` wait before
        answering RCPT instead, so a client that gives up never sends the message. 0 ends it.
        """
        self._stall, self._stall_accepts = seconds, accept

    def hold_next(self, n: int = 1) -> None:
        """Accept the next ``n`` messages (each is recorded when its data has arrived) and never
        answer them: the client's timeout runs out while the server has the message."""
        with self._faults_lock:
            self._holds = n

    def reject_recipients(self, code: int = 550) -> None:
        """Refuse every recipient with ``code`` (5xx: no such mailbox) until ``recover()``."""
        self._rejection = code

    # -- what was received ------------------------------------------------------------------

    def keys(self) -> list[str]:
        """The X-Guanai-Reminder header of each message, in order: count them for
        exactly-once checks."""
        return [str(mail.message["X-Guanai-Reminder"]) for mail in self.messages]

    def channel_settings(self, **overrides: Any) -> dict[str, Any]:
        """A ``[channels.smtp]`` table for guanai's smtp channel that reaches this server."""
        security = {"none": "none", "starttls": "starttls", "implicit": "tls"}[self.tls]
        settings: dict[str, Any] = {
            "host": HOST,
            "port": self.port,
            "security": security,
            "sender": "关爱提醒 <care@school.example>",
            "timeout": 5,
        }
        if self.ca_file:
            settings["ca_file"] = self.ca_file
        if self.username:
            settings |= {"username": self.username, "password": self.password}
        return settings | overrides

    # -- aiosmtpd handler -------------------------------------------------------------------

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self._rejection:
            return f"{self._rejection} 5.1.1 <{address}>: mailbox unavailable"
        if self._stall and not self._stall_accepts:
            await asyncio.sleep(self._stall)  # cancelled when the server stops
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self._stall and self._stall_accepts:
            await asyncio.sleep(self._stall)  # cancelled when the server stops
        with self._faults_lock:
            if self._failures > 0:
                self._failures -= 1
                return f"{self._failure_code} 4.3.0 try again later"
            held = self._holds > 0
            self._holds -= held
        content = (envelope.original_content or b"").replace(b"\r\n", b"\n")
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(
            ReceivedMail(str(envelope.mail_from), tuple(envelope.rcpt_tos), parsed)
        )
        if held:
            # aiosmtpd cancels the handler when the client hangs up (or the server stops).
            await asyncio.Event().wait()
        return "250 OK: queued"

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert self.username is not None and self.password is not None
        success = (
            isinstance(data, LoginPassword)
            and data.login == self.username.encode()
            and data.password == self.password.encode()
        )
        return AuthResult(success=success, handled=False)  # handled=False: reply 535 on failure

    # -- internals --------------------------------------------------------------------------

    def _new_controller(self) -> Controller:
        options: dict[str, Any] = {"server_hostname": "guanai-test-smtp"}
        if self.tls == "starttls":
            options |= {"tls_context": self._tls_context, "require_starttls": True}
        elif self.tls == "implicit":
            options["ssl_context"] = self._tls_context
        if self.username:
            options |= {"authenticator": self._authenticate, "auth_required": True}
        return _Controller(
            self, hostname=HOST, port=self.port, auth_over_tcp=self.tls != "starttls", **options
        )

    def _stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _clear_faults(self) -> None:
        with self._faults_lock:
            self._failures, self._failure_code, self._holds = 0, 451, 0
        self._stall, self._stall_accepts = 0.0, True
        self._rejection = 0


class _Controller(Controller):
    """Allows AUTH without STARTTLS when asked, without aiosmtpd's warning about it: with
    implicit TLS the transport is TLS (aiosmtpd only counts STARTTLS), and without TLS a test
    checks that a client logs in in clear only when told to (allow_plain_login)."""

    def __init__(self, *args: Any, auth_over_tcp: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auth_over_tcp = auth_over_tcp

    def factory(self) -> SMTP:
        server = super().factory()
        if self.auth_over_tcp:
            server._auth_require_tls = False
        return server


def _trustme_context(directory: Path) -> tuple[ssl.SSLContext, str]:
    """A server TLS context for 127.0.0.1 and localhost, and the PEM file of its CA."""
    authority = trustme.CA()
    certificate = authority.issue_cert(HOST, "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_file = directory / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return context, str(ca_file)


def dingtalk_signature_valid(secret: str, timestamp: str, sign: str) -> bool:
    """Whether ``sign`` (already URL-decoded) is DingTalk's signature of ``timestamp``."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode("ascii"), sign)


@dataclass(frozen=True)
class RobotRequest:
    """A POST the webhook server received, and how it was answered.

    ``body`` is the parsed JSON (None if it was not JSON). ``signature_valid`` is None when
    the server has no secret, else whether the timestamp and sign query parameters match it.
    ``accepted``: answered HTTP 200 with errcode 0 (also when a stall or a hold made the client
    give up).
    """

    path: str
    query: dict[str, str]
    content_type: str
    body: Any
    signature_valid: bool | None
    status: int
    errcode: int | None

    @property
    def accepted(self) -> bool:
        return self.status == 200 and self.errcode == 0


class WebhookRecorder:
    """An HTTP server answering like a group robot: ``{"errcode":0,"errmsg":"ok"}``.

    Every POST is recorded in ``requests``, in order. ``url(key)`` is a robot URL on this
    server; the key is recorded as ``query["key"]``, so one server can stand for several
    schools' robots. With ``secret``, DingTalk signatures are checked (and recorded, not
    enforced).
    """

    def __init__(self, *, secret: str | None = None) -> None:
        self.secret = secret
        self.port = free_port()
        self.requests: list[RobotRequest] = []
        self._server: _RobotServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._wake: socket.socket  # readable once the server stops: held requests end then
        self._waker: socket.socket
        self._clear_faults()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is None:
            self._released = threading.Event()
            self._wake, self._waker = socket.socketpair()
            self._server = _RobotServer((HOST, self.port), _RobotHandler, self)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop listening; stalled requests are cut off unanswered, then every thread ends."""
        if self._server is not None:
            self._released.set()
            self._waker.send(b"x")  # wakes every held request
            self._server.shutdown()
            self._server.server_close()  # joins the request threads
            assert self._thread is not None
            self._thread.join()
            self._wake.close()
            self._waker.close()
            self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def url(self, key: str = "test-robot-key") -> str:
        """A robot URL on this server; the key stands for a robot's secret key."""
        return f"http://{HOST}:{self.port}/send?key={key}"

    def accepted(self) -> list[RobotRequest]:
        """The requests answered with success."""
        return [request for request in self.requests if request.accepted]

    # -- faults -----------------------------------------------------------------------------

    def refuse(self) -> None:
        """Stop listening: connections are refused until ``recover()``."""
        self.close()

    def recover(self) -> None:
        """Listen again on the same port and clear every fault."""
        self._clear_faults()
        self.start()

    def fail_next(self, n: int = 1, *, status: int = 500, errcode: int | None = None) -> None:
        """Fail the next ``n`` requests: with HTTP ``status``, or, given ``errcode``, with
        HTTP 200 and that errcode (45009: WeCom's rate limit)."""
        with self._lock:
            self._failures, self._failure_status, self._failure_errcode = n, status, errcode

    def stall(self, seconds: float, *, accept: bool = True) -> None:
        """Wait ``seconds`` before answering each request; 0 ends the stall. With
        ``accept=False`` the request is recorded as not accepted (HTTP 504: a gateway gave up
        before the robot had it), so a client that gives up has sent nothing."""
        self._stall, self._stall_accepts = seconds, accept

    def hold_next(self, n: int = 1) -> None:
        """Accept the next ``n`` requests (recorded as accepted when their body has arrived) and
        never answer them: the client's timeout runs out while the robot has the message."""
        with self._lock:
            self._holds = n

    def reject(self, errcode: int = 93000) -> None:
        """Answer every request with ``errcode`` (93000: WeCom's invalid webhook URL) until
        ``recover()``."""
        self._rejection = errcode

    # -- internals --------------------------------------------------------------------------

    def _clear_faults(self) -> None:
        with self._lock:
            self._failures, self._failure_status, self._failure_errcode = 0, 500, None
            self._holds = 0
        self._stall, self._stall_accepts = 0.0, True
        self._rejection = 0

    def _answer(self, status: int, errcode: int | None) -> tuple[int, int | None]:
        with self._lock:
            if self._failures > 0:
                self._failures -= 1
                if self._failure_errcode is not None:
                    return 200, self._failure_errcode
                return self._failure_status, None
        if self._rejection:
            return 200, self._rejection
        return status, errcode

    def _take_hold(self) -> bool:
        with self._lock:
            held = self._holds > 0
            self._holds -= held
        return held

    def _receive(self, path: str, content_type: str, raw: bytes) -> RobotRequest:
        parts = urllib.parse.urlsplit(path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        signature_valid = None
        if self.secret is not None:
            signature_valid = "timestamp" in query and dingtalk_signature_valid(
                self.secret, query["timestamp"], query.get("sign", "")
            )
        if self._stall and not self._stall_accepts:
            status, errcode = 504, None
        else:
            status, errcode = self._answer(200, 0)
        request = RobotRequest(
            parts.path, query, content_type, body, signature_valid, status, errcode
        )
        self.requests.append(request)
        return request


class _RobotServer(ThreadingHTTPServer):
    daemon_threads = False  # so that server_close() joins them: no thread outlives the server

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], recorder: Any
    ) -> None:
        super().__init__(address, handler)
        self.recorder: WebhookRecorder = recorder


class _RobotHandler(BaseHTTPRequestHandler):
    server: _RobotServer

    def do_POST(self) -> None:
        recorder = self.server.recorder
        released = recorder._released
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = recorder._receive(self.path, self.headers.get("Content-Type", ""), raw)
        if request.accepted and recorder._take_hold():
            # Readable once the client hangs up (end of file) or the server stops (the waker).
            select.select([self.connection, recorder._wake], [], [])
            return
        if recorder._stall and released.wait(recorder._stall):
            return  # the server is stopping: drop the connection unanswered
        if request.errcode is None:
            answer = f"error {request.status}".encode()
            content_type = "text/plain"
        else:
            errmsg = "ok" if request.errcode == 0 else "test failure"
            answer = json.dumps({"errcode": request.errcode, "errmsg": errmsg}).encode()
            content_type = "application/json"
        try:
            self.send_response(request.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            pass  # the client gave up (a stall outlasted its timeout)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``requests`` instead."""
