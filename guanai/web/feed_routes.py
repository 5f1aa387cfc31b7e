"""``GET /feeds/<token>.ics``: a calendar feed, to the holder of its token only.

Each request reads the token's live subscription with its school's stamp, one indexed query,
on the event loop's own driver connection (:meth:`guanai.web.loop_reads.LoopReads.row`: the
query is shorter than a trip to a worker thread), and answers with the cached rendering while the stamp holds
(:meth:`guanai.core.feeds.cache.FeedCache.fresh`); a feed to render again is rendered in a
worker thread, in a transaction of its own. An unknown, malformed or revoked token
takes that same path to the same 404 and counts as a failed guess; a client with too many
failed guesses is refused (429) before any database work.

Revalidation follows RFC 9110 (ETag and Last-Modified; If-None-Match wins over
If-Modified-Since). The gzip variant, sent when the client accepts it, is a different
representation, so it has its own ETag and every answer says ``Vary: Accept-Encoding``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from guanai.core.db import session_factory
from guanai.core.feeds.cache import RenderedFeed
from guanai.core.feeds.scope import FeedKey
from guanai.core.feeds.tokens import find_live
from guanai.core.secret_tokens import well_formed
from guanai.web.context import WebContext
from guanai.web.responses import client_address, not_found, too_many_guesses

UNISSUED = "-" * 43
"""A token of the right shape that is never issued (``secrets.token_urlsafe`` would have to
draw 32 bytes of 0xfb): a malformed token is looked up as this one, so that it costs the same
indexed query as an unknown or revoked one, not a shortcut a stopwatch could see."""
CACHE_CONTROL = "private, max-age=300"
CALENDAR = "text/calendar; charset=utf-8"
GZIP_CODINGS = ("gzip", "x-gzip")


def not_modified(
    etag: str, last_modified: datetime, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """RFC 9110: If-None-Match (weak comparison) wins when present; else If-Modified-Since
    against Last-Modified, to the second."""
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    if if_modified_since is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified.replace(microsecond=0) <= since
    return False


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` accepts gzip: named (or ``*`` when gzip is not named) with
    a quality above zero."""
    wildcard: bool | None = None
    for item in (accept_encoding or "").split(","):
        coding, _, parameters = item.partition(";")
        coding = coding.strip().lower()
        quality = 1.0
        name, _, value = parameters.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        if coding in GZIP_CODINGS:
            return quality > 0
        if coding == "*":
            wildcard = quality > 0
    return bool(wildcard)


def gzip_etag(etag: str) -> str:
    """The gzip variant's ETag: the body's, marked (``"<sha256>-gzip"``)."""
    return etag[:-1] + '-gzip"'


def feed_routes(ctx: WebContext) -> list[BaseRoute]:
    sessions = session_factory(ctx.engine)

    def render(key: FeedKey) -> RenderedFeed:
        with sessions() as session, session.begin():
            return ctx.cache.lookup(session, key)

    async def feed(request: Request) -> Response:
        client = client_address(request)
        if ctx.guesses.blocked(client):
            return too_many_guesses()
        token = request.path_params["token"]
        live = find_live(ctx.loop_reads, token if well_formed(token) else UNISSUED)
        if live is None:
            ctx.guesses.failed(client)
            return not_found()
        rendered = ctx.cache.fresh(live) or await run_in_threadpool(render, live.key)
        compressed = accepts_gzip(request.headers.get("accept-encoding"))
        etag = gzip_etag(rendered.etag) if compressed else rendered.etag
        headers = {
            "ETag": etag,
            "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
            "Cache-Control": CACHE_CONTROL,
            "Vary": "Accept-Encoding",
        }
        if not_modified(
            etag,
            rendered.last_modified,
            request.headers.get("if-none-match"),
            request.headers.get("if-modified-since"),
        ):
            return Response(status_code=304, headers=headers)
        if compressed:
            headers["Content-Encoding"] = "gzip"
        body = rendered.gzipped if compressed else rendered.body
        return Response(body, headers=headers, media_type=CALENDAR)

    return [Route("/feeds/{token}.ics", feed, methods=["GET", "HEAD"])]
