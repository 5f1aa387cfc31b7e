"""Rendered feeds, kept per feed key with the stamp they were rendered at.

A feed request reads one row (:func:`guanai.core.feeds.tokens.find_live_feed`: the token's live
subscription and its feed's counters, which the database's triggers bump on every change to
what the feed shows). While the stamp equals the cached one the cached feed is served with no
other query; otherwise the feed is rendered again (its version aggregate, its rows) and kept.
Every worker process keeps its own cache and checks the same counters, so none can serve a
feed another has seen change. A stamp read before rendering can only be older than the data
rendered: the next request then renders once more, never serves stale bytes.
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
from guanai.core.feeds.scope import (
    FeedKey,
    FeedStamp,
    FeedVersion,
    feed_content,
    feed_stamp,
    feed_version,
)
from guanai.core.feeds.tokens import find_live_feed

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


def rendered(body: bytes, version: FeedVersion) -> RenderedFeed:
    etag = '"' + hashlib.sha256(body).hexdigest() + '"'
    return RenderedFeed(body, etag, (version.newest_change or _NEVER).astimezone(UTC))


class FeedCache:
    """Thread-safe; bounded by the number of distinct feeds subscribed to. ``base_url`` (the
    ``[feeds] base_url`` events link to) is fixed for the cache's life, so it is no part of
    the key."""

    def __init__(self, registry: ActivityRegistry, base_url: str | None = None) -> None:
        self.registry = registry
        self.base_url = base_url
        self._lock = threading.Lock()
        self._feeds: dict[FeedKey, tuple[FeedStamp, RenderedFeed]] = {}
        self.renders = 0

    def feed_for(self, session: Session, token: str) -> RenderedFeed | None:
        """The feed of a live token, from cache when unchanged (one query); None for an
        unknown, malformed or revoked one."""
        live = find_live_feed(session, token)
        if live is None:
            return None
        return self._feed(session, live.key, live.stamp)

    def lookup(self, session: Session, key: FeedKey) -> RenderedFeed:
        """The feed of ``key``, from cache when unchanged."""
        return self._feed(session, key, feed_stamp(session, key))

    def _feed(self, session: Session, key: FeedKey, stamp: FeedStamp) -> RenderedFeed:
        with self._lock:
            cached = self._feeds.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        version = feed_version(session, key)
        content = feed_content(session, key, self.registry, version, self.base_url)
        feed = rendered(render_feed(content), version)
        with self._lock:
            self._feeds[key] = (stamp, feed)
            self.renders += 1
        return feed
