"""``guanai serve``: a small threaded HTTP server for ``GET /feeds/<token>.ics`` and nothing else.

Every other path, an unknown or revoked token and anything that looks like a path trick get the
same 404; methods other than GET and HEAD get 405. One database session per request.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import Engine

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.db import session_factory
from guanai.core.feeds.cache import FeedCache, RenderedFeed
from guanai.core.feeds.scope import FeedKey
from guanai.core.feeds.tokens import find_active

log = logging.getLogger(__name__)

FEED_PATH = re.compile(r"^/feeds/([A-Za-z0-9_-]{43})\.ics$")
NOT_FOUND = b"Not Found\n"
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}
CACHE_CONTROL = "private, max-age=300"


def not_modified(
    feed: RenderedFeed, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """RFC 9110: If-None-Match wins when present; else If-Modified-Since against Last-Modified."""
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or feed.etag in tags or f"W/{feed.etag}" in tags
    if if_modified_since is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return feed.last_modified.replace(microsecond=0) <= since
    return False


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer
    server_version = "guanai"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Silent: a request line holds a token, which must not reach a log."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _refuse(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"Method Not Allowed\n", {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse

    def _send(
        self, status: HTTPStatus, body: bytes, headers: dict[str, str], head: bool = False
    ) -> None:
        self.send_response(status)
        for name, value in {**SECURITY_HEADERS, **headers}.items():
            self.send_header(name, value)
        if status is not HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status is not HTTPStatus.NOT_MODIFIED:
            self.wfile.write(body)

    def _serve(self, head: bool) -> None:
        # The request line as sent: http.server collapses a leading "//" in self.path.
        parts = self.requestline.split(" ")
        path = (parts[1] if len(parts) == 3 else "").split("?", 1)[0]
        match = FEED_PATH.match(path)
        try:
            feed = self.server.feed_for(match.group(1)) if match else None
        except Exception:
            log.exception("feed request failed")  # the traceback holds no token
            self._send(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                b"Internal Server Error\n",
                {"Content-Type": "text/plain; charset=utf-8"},
                head,
            )
            return
        if feed is None:
            self._send(
                HTTPStatus.NOT_FOUND, NOT_FOUND, {"Content-Type": "text/plain; charset=utf-8"}, head
            )
            return
        headers = {
            "ETag": feed.etag,
            "Last-Modified": format_datetime(feed.last_modified, usegmt=True),
            "Cache-Control": CACHE_CONTROL,
        }
        if not_modified(
            feed, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        ):
            self._send(HTTPStatus.NOT_MODIFIED, b"", headers, head)
            return
        headers["Content-Type"] = "text/calendar; charset=utf-8"
        self._send(HTTPStatus.OK, feed.body, headers, head)


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], engine: Engine, registry: ActivityRegistry
    ) -> None:
        super().__init__(address, FeedHandler)
        self.sessions = session_factory(engine)
        self.cache = FeedCache(registry)

    def feed_for(self, token: str) -> RenderedFeed | None:
        """The feed of a live token, from cache when unchanged; None for anything else."""
        with self.sessions() as session, session.begin():
            subscription = find_active(session, token)
            if subscription is None:
                return None
            return self.cache.lookup(session, FeedKey.of(subscription))

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"
