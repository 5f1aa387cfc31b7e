"""``guanai run``: tick the engine on a schedule and dispatch the outbox, until told to stop.

A front end of the service, like the CLI and the dashboard: each cycle is the acting
account's ``tick`` (one transaction; the plugins are told after it), then a delivery round. A database
that goes away is waited for, with growing pauses, and the daemon resumes where it was. On
SQLite one daemon at a time is enforced by an exclusive lock on a file beside the database
(the operating system releases it when the process dies, even by SIGKILL), and a starting
daemon makes the rows a dead one left in flight ready again. On PostgreSQL any number of
daemons share the work: ticks take turns on an advisory lock, claims skip locked rows; a
daemon restarted under the same ``--name`` takes back at once what it held when it died,
others wait for the lease to run out.

The clock is injected: :class:`WallClock` waits for real; :class:`SimulatedClock` steps
through a stretch of term as fast as the work allows (tests, rehearsals).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.reminders.dispatch import Dispatcher
from guanai.service import DatabaseError, Guanai

log = logging.getLogger("guanai.daemon")

LONGEST_OUTAGE_PAUSE = 60.0


class Clock(Protocol):
    def now(self) -> datetime: ...

    def wait(self, stop: threading.Event, seconds: float) -> None: ...

    @property
    def finished(self) -> bool: ...


class WallClock:
    finished = False

    def now(self) -> datetime:
        return datetime.now(UTC)

    def wait(self, stop: threading.Event, seconds: float) -> None:
        stop.wait(seconds)


@dataclass
class SimulatedClock:
    """From ``start`` to ``until``, one ``step`` per cycle, without sleeping."""

    start: datetime
    until: datetime
    step: timedelta
    current: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.current = self.start

    def now(self) -> datetime:
        return self.current

    def wait(self, stop: threading.Event, seconds: float) -> None:
        self.current += self.step

    @property
    def finished(self) -> bool:
        return self.current >= self.until


class DaemonError(GuanaiError):
    """The daemon cannot start: another one holds the database, or the schema is old."""


@contextmanager
def single_daemon(engine: Engine) -> Iterator[bool]:
    """On a SQLite file, hold an exclusive lock for the daemon's life (yield True); elsewhere
    yield False and lock nothing."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield False
        return
    path = Path(f"{database}.run.lock")
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise DaemonError(
                Label(
                    f"另一个 guanai run（{holder}）正在使用数据库 {database}；SQLite 同时只能运行一个",
                    f"another guanai run ({holder}) is using {database}; on SQLite only one"
                    " may run at a time",
                )
            ) from None
        handle.truncate(0)
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _is_outage(error: Exception) -> bool:
    if isinstance(error, DatabaseError):
        return error.unreachable
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _first_line(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:300]


@dataclass
class Daemon:
    """The daemon as a front end of the service: each cycle is the acting account's tick
    (a coordinator's action) followed by a delivery round."""

    service: Guanai
    worker: str
    clock: Clock
    stop: threading.Event
    once: bool = False
    named: bool = False
    """``worker`` is a stable name given by the operator: a restart takes back its claims."""

    def run(self) -> None:
        try:
            self.service.require("tick")  # refused before anything starts
        except DatabaseError as error:
            if not error.unreachable:
                raise  # an unreachable database is waited for below
        dispatcher = self.service.open_dispatcher(self.worker)
        channels = dispatcher.channels
        pause = 1.0
        with single_daemon(self.service.engine) as alone:
            log.info(
                "daemon.start",
                extra={"fields": {"worker": self.worker, "channels": sorted(channels)}},
            )
            released = False
            try:
                while not self.stop.is_set():
                    try:
                        if not released:
                            released = self._start(alone)
                        self._cycle(dispatcher)
                    except Exception as error:
                        if not _is_outage(error):
                            raise
                        self._outage(error, pause)
                        pause = min(pause * 2, LONGEST_OUTAGE_PAUSE)
                        continue
                    pause = 1.0
                    if self.once or self.clock.finished:
                        break
                    self.clock.wait(self.stop, self.service.settings.reminders.tick_every_seconds)
            finally:
                for channel in channels.values():
                    channel.close()
                log.info("daemon.stop", extra={"fields": {"worker": self.worker}})

    def _start(self, alone: bool) -> bool:
        self.service.require("tick")  # the acting account runs the ticks: a coordinator
        if alone or self.named:
            count = self.service.release_claims(None if alone else self.worker)
            if count:
                log.warning("daemon.released_claims", extra={"fields": {"count": count}})
        return True

    def _cycle(self, dispatcher: Dispatcher) -> None:
        now = self.clock.now()
        report = self.service.tick(now)
        log.info(
            "tick",
            extra={
                "fields": {
                    "now": now.isoformat(),
                    "due": report.became_due,
                    "overdue": report.became_overdue,
                    "escalated": report.escalated,
                    "queued": report.reminders_queued,
                }
            },
        )
        result = dispatcher.dispatch(now, self.stop.is_set)
        if result.sent or result.retried or result.failed or result.lost:
            log.info("dispatch", extra={"fields": vars(result)})

    def _outage(self, error: Exception, pause: float) -> None:
        log.warning(
            "database.unavailable",
            extra={"fields": {"error": _first_line(error), "retry_in_seconds": pause}},
        )
        self.service.engine.dispose()
        self.stop.wait(pause)
