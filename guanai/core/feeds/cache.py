"""Rendered feeds, kept per feed key with the school's stamp they were rendered at.

A request reads its token's feed and the school's stamp in one indexed query
(:func:`~guanai.core.feeds.tokens.find_live`); while the stamp is the cached one, the cached
rendering is served with no other database work (:meth:`FeedCache.fresh`), whatever the size
of the school. A changed stamp renders the feed again (:meth:`FeedCache.lookup`); its ETag is
the hash of its bytes, so a change elsewhere in the school that leaves this feed's bytes as
they were still answers its clients' conditional requests with 304.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.feeds.render import render_feed
from guanai.core.feeds.scope import FeedKey, feed_content, newest_change
from guanai.core.feeds.stamps import school_stamp
from guanai.core.feeds.tokens import LiveFeed
from guanai.core.term_types import registry_in

_NEVER = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str  # strong: the quoted SHA-256 of the body
    last_modified: datetime  # the feed's newest change, in UTC

    @cached_property
    def gzipped(self) -> bytes:
        """The body gzip-compressed, once per rendering (a feed is mostly repeated text)."""
        return gzip.compress(self.body, compresslevel=6, mtime=0)


def rendered(body: bytes, newest: datetime | None) -> RenderedFeed:
    etag = '"' + hashlib.sha256(body).hexdigest() + '"'
    return RenderedFeed(body, etag, (newest or _NEVER).astimezone(UTC))


class FeedCache:
    """Thread-safe; bounded by the number of distinct feeds subscribed to."""

    def __init__(self, plugins: ActivityRegistry, base_url: str | None = None) -> None:
        self.plugins = plugins  # with the planned calendars' types, as each session reads them
        self.base_url = base_url
        self._lock = threading.Lock()
        self._feeds: dict[FeedKey, tuple[int, RenderedFeed]] = {}
        self.renders = 0

    def fresh(self, live: LiveFeed) -> RenderedFeed | None:
        """The cached rendering of a live token's feed while its school's stamp is the one it
        was rendered at; None when it must be rendered again (:meth:`lookup`). No database
        work: the stamp came with the token (:func:`~guanai.core.feeds.tokens.find_live`)."""
        with self._lock:
            cached = self._feeds.get(live.key)
        return cached[1] if cached is not None and cached[0] == live.stamp else None

    def lookup(self, session: Session, key: FeedKey, stamp: int | None = None) -> RenderedFeed:
        """The feed of ``key``, rendered again only when its school's ``stamp`` (read here when
        not given) is not the one it was rendered at."""
        if stamp is None:
            stamp = school_stamp(session, key.school_id)
        with self._lock:
            cached = self._feeds.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        newest = newest_change(session, key)
        feed = rendered(
            render_feed(
                feed_content(
                    session, key, registry_in(session, self.plugins), newest, self.base_url
                )
            ),
            newest,
        )
        with self._lock:
            self._feeds[key] = (stamp, feed)
            self.renders += 1
        return feed
