"""What every route of the web application shares, made once per worker process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from guanai.core.config import Settings
from guanai.core.feeds.cache import FeedCache
from guanai.core.pm import GuanaiPluginManager
from guanai.service import Guanai
from guanai.service.base import wall_clock
from guanai.service.phone_sessions import PhoneSessions
from guanai.web.guesses import GuessLimiter
from guanai.web.loop_reads import LoopReads


@dataclass
class WebContext:
    """The settings, plugins and one engine (one connection pool) of a worker, its feed
    cache, its phone sign-in, its limit on token guesses, its clock and the event loop's own
    connection."""

    settings: Settings
    pm: GuanaiPluginManager
    engine: Engine
    clock: Callable[[], datetime] = wall_clock
    guesses: GuessLimiter = field(default_factory=GuessLimiter)
    cache: FeedCache = field(init=False)
    phones: PhoneSessions = field(init=False)
    loop_reads: LoopReads = field(init=False)

    def __post_init__(self) -> None:
        self.cache = FeedCache(self.pm.activity_registry(), self.settings.feeds.base_url or None)
        self.phones = PhoneSessions(self.engine, self.clock)
        self.loop_reads = LoopReads(self.engine)

    def service_for(self, account_name: str) -> Guanai:
        """The application service acting as ``account_name`` (a signed-in teacher's account),
        on this worker's engine and clock."""
        return Guanai(self.settings, self.pm, account_name, engine=self.engine, clock=self.clock)
