"""Where a feed is fetched: the token-bearing path, and links on a configured base URL."""

from __future__ import annotations


def feed_path(token: str) -> str:
    """The path ``guanai serve`` answers a feed at: it holds the token, so it is the secret."""
    return f"/feeds/{token}.ics"


def feed_urls(base_url: str, token: str) -> tuple[str, str]:
    """The https (or http) URL of a feed on ``base_url`` and its webcal:// twin."""
    url = base_url.rstrip("/") + feed_path(token)
    return url, "webcal://" + url.split("://", 1)[1]
