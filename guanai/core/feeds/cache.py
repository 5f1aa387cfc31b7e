"""Rendered feeds, kept per feed key and version: a feed is rendered once per change.

``lookup`` runs the version query (:func:`feed_version`: one aggregate over the feed's tasks);
only when the version differs from the cached one does it load and render the feed. A
conditional request that matches therefore never renders.
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
from guanai.core.feeds.scope import FeedKey, FeedVersion, feed_content, feed_version
from guanai.core.feeds.tokens import find_active

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
    """Thread-safe; bounded by the number of distinct feeds subscribed to."""

    def __init__(self, registry: ActivityRegistry, base_url: str | None = None) -> None:
        self.registry = registry
        self.base_url = base_url
        self._lock = threading.Lock()
        self._feeds: dict[FeedKey, tuple[FeedVersion, RenderedFeed]] = {}
        self.renders = 0

    def feed_for(self, session: Session, token: str) -> RenderedFeed | None:
        """The feed of a live token, from cache when unchanged; None for an unknown, malformed
        or revoked one."""
        subscription = find_active(session, token)
        if subscription is None:
            return None
        return self.lookup(session, FeedKey.of(subscription))

    def lookup(self, session: Session, key: FeedKey) -> RenderedFeed:
        version = feed_version(session, key)
        with self._lock:
            cached = self._feeds.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        feed = rendered(
            render_feed(feed_content(session, key, self.registry, version, self.base_url)), version
        )
        with self._lock:
            self._feeds[key] = (version, feed)
            self.renders += 1
        return feed
