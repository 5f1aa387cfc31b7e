"""``guanai run`` as a process: it stops cleanly on SIGTERM, is alone on a SQLite database,
and waits for a database that went away, then resumes."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from daemon_samples import events, plan_demo, start_daemon, wait_for, write_config
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from tcp_proxy import TcpProxy

from guanai.core.db import make_engine, transaction, upgrade
from guanai.core.models import InboxItem, OutboxMessage

pytestmark = pytest.mark.slow


def names(log: Path) -> list[str]:
    return [e["event"] for e in events(log)]


def config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path / "guanai.toml", {"channels": ["inbox"], "tick_every_seconds": 1}, {}
    )


def test_sigterm_stops_the_daemon_cleanly(engine: Engine, database_url: str, tmp_path: Path):
    plan_demo(engine)
    log = tmp_path / "daemon.log"
    daemon = start_daemon(database_url, config(tmp_path), log)
    try:
        wait_for(lambda: names(log).count("tick") >= 2, 60, "two ticks")
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
    finally:
        daemon.kill()
    assert names(log)[-1] == "daemon.stop"
    with transaction(engine) as session:
        states = set(session.scalars(select(OutboxMessage.state)))
        inbox = session.scalar(select(func.count()).select_from(InboxItem))
    assert states == {"sent"} and inbox > 0, "what was queued was delivered before stopping"


def test_on_sqlite_a_second_daemon_is_refused(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/one.db"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    log = tmp_path / "first.log"
    first = start_daemon(url, config(tmp_path), log)
    try:
        wait_for(lambda: "tick" in names(log), 60, "the first daemon's tick")
        second = start_daemon(url, config(tmp_path), tmp_path / "second.log")
        assert second.wait(timeout=60) == 1
        refusal = (tmp_path / "second.log").read_text(encoding="utf-8")
        assert "只能运行一个" in refusal and "pid" in refusal
        assert first.poll() is None, "the first daemon keeps running"
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)


def test_the_daemon_waits_for_a_database_that_went_away_and_resumes(
    engine: Engine, database_url: str, tmp_path: Path
):
    if engine.dialect.name != "postgresql":
        pytest.skip("a server that goes away: PostgreSQL behind a proxy the test cuts")
    plan_demo(engine)
    url = make_url(database_url)
    log = tmp_path / "daemon.log"
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port)
        daemon = start_daemon(through.render_as_string(hide_password=False), config(tmp_path), log)
        try:
            wait_for(lambda: "tick" in names(log), 60, "a first tick")
            proxy.cut()
            wait_for(lambda: "database.unavailable" in names(log), 60, "the outage noticed")
            wait_for(lambda: names(log).count("database.unavailable") >= 2, 60, "waiting on")
            proxy.restore()
            wait_for(
                lambda: "tick" in names(log)[names(log).index("database.unavailable") :],
                90,
                "a tick after the outage",
            )
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=30) == 0
        finally:
            daemon.kill()
    outage = [e for e in events(log) if e["event"] == "database.unavailable"]
    assert outage[0]["retry_in_seconds"] < outage[-1]["retry_in_seconds"], "pauses grow"
