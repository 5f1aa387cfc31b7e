"""A bound on failed token guesses per client: a token has 256 bits, so guessing is hopeless,
but a client that keeps sending unknown tokens is refused (429) for a while rather than
answered, and costs no database work while refused.

Each client (its address, as the proxy reports it) has a bucket of ``burst`` failures that
refills at ``per_minute``; the bucket lives in the worker's memory, so with N workers a client
gets at most N times the bound. A success does not refill it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_CLIENTS = 100_000
"""Clients remembered per worker, the least recently seen forgotten first: memory stays bounded
under a flood from many addresses."""


@dataclass
class GuessLimiter:
    burst: int = 20
    per_minute: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _level(self, client: str, now: float) -> float:
        tokens, since = self._buckets.get(client, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - since) * self.per_minute / 60.0)

    def blocked(self, client: str) -> bool:
        """Whether ``client`` has used up its failures: refuse it before any lookup."""
        with self._lock:
            return self._level(client, self.clock()) < 1.0

    def failed(self, client: str) -> None:
        """Count one failed guess of ``client`` (an unknown, revoked or malformed token)."""
        now = self.clock()
        with self._lock:
            level = self._level(client, now) - 1.0
            self._buckets[client] = (level, now)
            self._buckets.move_to_end(client)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
