"""Two daemons on one PostgreSQL database run a whole simulated term side by side: they share
the work (ticks take turns, claims skip each other's rows) and no reminder is sent twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from daemon_samples import events, plan_demo, start_daemon, write_config
from servers import SmtpRecorder
from sqlalchemy import Engine, func, select

from guanai.core.db import transaction
from guanai.core.models import InboxItem, OutboxMessage
from guanai.plugins.channels.smtp import reminder_hash

pytestmark = pytest.mark.slow

TERM = ("--from", "2026-09-01", "--until", "2027-01-23", "--step-minutes", "180")


def test_two_daemons_on_postgresql_never_send_a_reminder_twice(
    engine: Engine, database_url: str, tmp_path: Path
):
    if engine.dialect.name != "postgresql":
        pytest.skip("several daemons share a database on PostgreSQL; SQLite allows one")
    plan_demo(engine)
    with SmtpRecorder() as smtp:
        config = write_config(
            tmp_path / "guanai.toml",
            {"channels": ["inbox", "smtp"]},
            {"smtp": smtp.channel_settings()},
        )
        logs = [tmp_path / "a.log", tmp_path / "b.log"]
        daemons = [start_daemon(database_url, config, log, *TERM) for log in logs]
        for daemon, log in zip(daemons, logs, strict=True):
            assert daemon.wait(timeout=1200) == 0, log.read_text()[-2000:]
        received = Counter(smtp.keys())
    with transaction(engine) as session:
        rows = session.scalars(select(OutboxMessage)).all()
        inbox = session.scalar(select(func.count()).select_from(InboxItem))
    sent_by = [
        sum(e.get("sent", 0) for e in events(log) if e["event"] == "dispatch") for log in logs
    ]
    expected = {reminder_hash(r.dedupe_key) for r in rows if r.channel == "smtp"}
    print(
        f"\n{len(rows)} reminders over the term; daemon a sent {sent_by[0]}, b sent {sent_by[1]};"
        f" {received.total()} e-mails received, {len(received)} distinct; {inbox} in the inbox"
    )
    assert {r.state for r in rows} == {"sent"}
    assert set(received) == expected
    assert max(received.values()) == 1, "no e-mail twice"
    assert inbox == sum(r.channel == "inbox" for r in rows)
    assert sum(sent_by) == len(rows) and min(sent_by) > 0, "both daemons did part of the work"
