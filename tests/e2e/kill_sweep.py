"""Kill -9 sweeps: one command, run as the installed ``guanai`` script on fresh copies of one
database, killed with SIGKILL at random points, and what each kill left checked.

The kill points are anchored to events, not to the clock alone. An unkilled reference run
measures three moments: when the command's unit of work began, when it ended (committed), and
when the process ended. A kill then lands at a random point of one of the three spans: before
the unit of work (measured from the start: the interpreter loading, the command reading its
input), inside it, or after it (both measured from the moment the unit of work began in that
run, so that the interpreter's start-up jitter does not move them): writing, committing,
printing, exiting.

"The unit of work is under way" is what each database lets another connection see: on SQLite
the command holds the write lock (a unit of work takes it at ``BEGIN IMMEDIATE``, see
:mod:`guanai.core.db`), seen by a probe whose own ``BEGIN IMMEDIATE`` is refused at once; on
PostgreSQL its open transaction has a transaction id, which it gets with its first write.

After every kill: the database is exactly as before the command or exactly as after a complete
run (a digest of every table's rows), SQLite's ``PRAGMA integrity_check`` says ok, and a
following complete run succeeds and leaves what an unkilled run leaves. That run is the same
command in-process (``click``'s runner on :data:`guanai.cli.cli`), which spares the
interpreter's start-up; it finds the database exactly as a restarted process would.
"""

from __future__ import annotations

import hashlib
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from click.testing import CliRunner
from roster_samples import snapshot
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from guanai.cli import cli
from guanai.core.db import make_engine
from guanai.core.models import Base
from guanai.core.pm import build_plugin_manager

GUANAI = Path(sys.executable).parent / "guanai"
POLL = 0.005
"""Seconds between two looks at the process and the database."""
SHARES = (0.2, 0.5, 0.3)
"""How the kills are shared out: before the unit of work, inside it, after it."""
SETTLE_TIMEOUT = 60.0
SEQUENCES = """
SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value, start_value),
       last_value IS NOT NULL
FROM pg_sequences
"""
"""Each sequence's state, as ``setval`` takes it (a sequence never used: its start, not yet
called)."""


def digest(url: str) -> str:
    """A digest of every table's rows, in key order, as the driver returns them.

    Not :func:`roster_samples.snapshot`: a sweep takes two digests per kill, and skipping the
    column types' conversions makes one about twice as fast (0.5 s against 1.2 s for 22,000
    tasks, measured on a loaded machine)."""
    engine = make_engine(url)
    found = hashlib.sha256()
    try:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                query = select(table).order_by(*table.primary_key.columns)
                found.update(table.name.encode())
                for row in connection.exec_driver_sql(str(query.compile(engine))):
                    found.update(repr(tuple(row)).encode())
    finally:
        engine.dispose()
    return found.hexdigest()


class DatabaseCopies:
    """Fresh copies of one database; as a context manager, whatever is left is dropped."""

    def __init__(self) -> None:
        self.made: list[str] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        for url in self.made:
            self.drop(url)

    def make(self, name: str) -> str:
        raise NotImplementedError

    def watch(self, url: str) -> AbstractContextManager[Callable[[], bool]]:
        """A look at the copy, while the context lasts: is a unit of work under way?"""
        raise NotImplementedError

    def settle(self, url: str) -> None:
        """Wait until a killed process has left no trace still running."""

    def integrity(self, url: str) -> str:
        return "ok"

    def rewind(self, url: str) -> None:
        """Set the copy's id counters back to the original's, after a kill kept nothing."""

    def drop(self, url: str) -> None:
        raise NotImplementedError


class SqliteCopies(DatabaseCopies):
    """Copies of a SQLite database: files written from its bytes."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        super().__init__()
        self.data = snapshot(engine)[0] or b""  # after a checkpoint: the file holds everything
        self.folder = folder

    def make(self, name: str) -> str:
        path = self.folder / f"{name}.db"
        path.write_bytes(self.data)
        self.made.append(f"sqlite:///{path}")
        return self.made[-1]

    @contextmanager
    def watch(self, url: str) -> Iterator[Callable[[], bool]]:
        """Whether the write lock is held: a probe's ``BEGIN IMMEDIATE`` is refused at once
        (``timeout=0``). Between two looks the probe holds nothing."""
        probe = sqlite3.connect(make_url(url).database or "", timeout=0, isolation_level=None)

        def locked() -> bool:
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            probe.execute("ROLLBACK")
            return False

        try:
            yield locked
        finally:
            probe.close()

    def integrity(self, url: str) -> str:
        with sqlite3.connect(make_url(url).database or "") as connection:
            return connection.execute("PRAGMA integrity_check").fetchone()[0]

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)


class PostgresCopies(DatabaseCopies):
    """Copies of a PostgreSQL database made with ``CREATE DATABASE … TEMPLATE`` (a template
    must have no connection: the caller disposes its engines first). PostgreSQL has no
    integrity check to run: its crash safety is the server's."""

    def __init__(self, admin: Engine, url: str) -> None:
        super().__init__()
        self.admin = admin  # autocommit, on another database of the server
        self.url = make_url(url)
        self.template = self.url.database
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                self.sequences = connection.execute(text(SEQUENCES)).all()
        finally:
            engine.dispose()

    def make(self, name: str) -> str:
        copy = f"{self.template}_{name}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{self.template}"'))
        self.made.append(self.url.set(database=copy).render_as_string(hide_password=False))
        return self.made[-1]

    def _backends(self, url: str, condition: str = "") -> int:
        with self.admin.connect() as connection:
            return connection.scalar(
                text(f"SELECT count(*) FROM pg_stat_activity WHERE datname = :db{condition}"),
                {"db": make_url(url).database},
            )

    @contextmanager
    def watch(self, url: str) -> Iterator[Callable[[], bool]]:
        """Whether a connection to the copy has written in its open transaction."""
        yield lambda: self._backends(url, " AND backend_xid IS NOT NULL") > 0

    def settle(self, url: str) -> None:
        """Wait until the dead client's backend has ended: until then it may still be running
        its statement, or finishing a COMMIT the client sent before it died."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while self._backends(url) > 0:
            assert time.monotonic() < deadline, "the killed client's backend never ended"
            time.sleep(POLL)

    def rewind(self, url: str) -> None:
        """PostgreSQL hands out sequence numbers outside transactions: a killed transaction's
        ids are used up, not rolled back, and a complete run after it numbers its rows from
        further on. That loses nothing (ids are only keys), so the sequences are set back, and
        the run after the kill can be compared with the reference run row for row."""
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                for name, value, called in self.sequences:
                    connection.execute(
                        text("SELECT setval(:name, :value, :called)"),
                        {"name": name, "value": value, "called": called},
                    )
        finally:
            engine.dispose()

    def drop(self, url: str) -> None:
        with self.admin.connect() as connection:
            database = make_url(url).database
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


@dataclass(frozen=True)
class Run:
    """One run of the command, its moments in seconds from the start (None: not seen)."""

    returncode: int
    began: float | None  # the unit of work was first seen under way
    finished: float | None  # it was no longer seen
    ended: float  # the process had ended
    stderr: str


@dataclass(frozen=True)
class KillPoint:
    delay: float
    from_begin: bool  # measured from the moment the unit of work began, else from the start

    @classmethod
    def drawn(cls, rng: random.Random, reference: Run) -> KillPoint:
        assert reference.began is not None and reference.finished is not None
        inside = reference.finished - reference.began
        span = rng.choices(range(len(SHARES)), weights=SHARES)[0]
        if span == 0:
            return cls(rng.uniform(0, reference.began), from_begin=False)
        if span == 1:
            return cls(rng.uniform(0, inside), from_begin=True)
        return cls(rng.uniform(inside, reference.ended - reference.began), from_begin=True)


def run(
    copies: DatabaseCopies, url: str, args: tuple[str, ...], kill: KillPoint | None = None
) -> Run:
    """Run ``guanai --db URL ARGS`` as a process, watching its unit of work, and SIGKILL it at
    ``kill`` if it is still running then."""
    with copies.watch(url) as under_way:
        start = time.monotonic()
        process = subprocess.Popen(
            [str(GUANAI), "--db", url, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        began = finished = None
        while process.poll() is None:
            now = time.monotonic()
            if finished is None:
                seen = under_way()
                if began is None and seen:
                    began = now
                elif began is not None and not seen:
                    finished = now
            anchor = began if kill is not None and kill.from_begin else start
            if kill is not None and anchor is not None and now >= anchor + kill.delay:
                process.send_signal(signal.SIGKILL)
                break
            wait = POLL if kill is None or anchor is None else anchor + kill.delay - now
            time.sleep(min(POLL, wait))
        _, errors = process.communicate(timeout=120)
        ended = time.monotonic() - start
    return Run(
        process.returncode,
        None if began is None else began - start,
        None if finished is None else finished - start,
        ended,
        errors.decode(errors="replace"),
    )


def run_in_process(url: str, args: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, ["--db", url, *args], obj=build_plugin_manager())
    assert result.exit_code == 0, result.output


@dataclass
class Sweep:
    """Where the kills landed, and the reference run they were drawn from."""

    reference: Run
    landed: Counter[str]
    missed: int  # kill points that came after the process had ended
    seconds: float

    def __str__(self) -> str:
        moments = self.reference
        return (
            f"{self.landed.total()} kills in {self.seconds:.1f} s: "
            f"{self.landed['early']} before the unit of work was under way, "
            f"{self.landed['rolled back']} during it (nothing kept), "
            f"{self.landed['committed']} after its commit (all kept); {self.missed} kill "
            f"points came after the process had ended; the reference run's unit of work from "
            f"{moments.began:.2f} s to {moments.finished:.2f} s, its end at {moments.ended:.2f} s"
        )


def sweep(copies: DatabaseCopies, args: tuple[str, ...], *, kills: int, seed: int) -> Sweep:
    """Kill ``guanai ARGS`` ``kills`` times on fresh copies, checking each (module docstring)."""
    started = time.monotonic()
    rng = random.Random(seed)
    url = copies.make("before")
    before = digest(url)
    copies.drop(url)

    url = copies.make("reference")
    reference = run(copies, url, args)
    assert reference.returncode == 0, reference.stderr
    assert reference.finished is not None, "the reference run's unit of work was seen"
    after = digest(url)
    assert after != before, "the command changes the database"
    run_in_process(url, args)
    after_again = digest(url)  # what a complete run leaves after a complete run
    copies.drop(url)

    landed: Counter[str] = Counter()
    missed = 0
    while landed.total() < kills:
        assert missed <= kills, "most kill points came too late: the reference run was slow"
        url = copies.make(f"k{landed.total() + missed}")
        killed = run(copies, url, args, KillPoint.drawn(rng, reference))
        copies.settle(url)
        assert copies.integrity(url) == "ok"
        left = digest(url)
        assert left in (before, after), f"a kill left a database neither before nor after: {killed}"
        if killed.returncode == -signal.SIGKILL:
            if left == after:
                landed["committed"] += 1
            else:
                landed["early" if killed.began is None else "rolled back"] += 1
        else:
            assert killed.returncode == 0, killed.stderr
            missed += 1
        if left == before:
            copies.rewind(url)
        run_in_process(url, args)
        assert digest(url) == (after if left == before else after_again), (
            "a complete run after the kill leaves what an unkilled run leaves"
        )
        copies.drop(url)
    return Sweep(reference, landed, missed, time.monotonic() - started)
