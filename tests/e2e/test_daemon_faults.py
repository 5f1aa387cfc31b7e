"""The daemon killed with SIGKILL at random points, many times, and restarted: in the end every
reminder was delivered, and any sent twice is one of the documented window (the server had
it, the process died before recording it), at most one per kill.

Each restart continues the simulated clock from the last tick the killed daemon logged, as a
real daemon restarted by its supervisor would continue with the wall clock. The SMTP server
takes a few milliseconds per message, so most kills land while reminders are being sent.
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from daemon_samples import SHANGHAI, events, plan_demo, start_daemon, wait_for, write_config
from servers import SmtpRecorder
from sqlalchemy import Engine, func, select

from guanai.core.db import transaction
from guanai.core.models import InboxItem, OutboxMessage
from guanai.core.reminders.outbox import INTERRUPTED
from guanai.plugins.channels.smtp import reminder_hash

pytestmark = pytest.mark.slow

KILLS = 12
START, END = "2026-09-14T00:00", "2026-09-26T00:00"
NAMED = ("--name", "supervised")  # as a supervisor restarts it: the same name each time


def last_tick(log: Path) -> str:
    ticks = [e["now"] for e in events(log) if e["event"] == "tick"]
    if not ticks:
        return START
    return datetime.fromisoformat(ticks[-1]).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def test_sigkill_at_random_points_never_loses_a_reminder(
    engine: Engine, database_url: str, tmp_path: Path
):
    plan_demo(engine)
    rng = random.Random(20261129)
    with SmtpRecorder() as smtp:
        smtp.stall(0.005)  # a few milliseconds per message, accepted
        config = write_config(
            tmp_path / "guanai.toml",
            {"channels": ["inbox", "smtp"], "lease_seconds": 600, "retry_after_seconds": 300},
            {"smtp": smtp.channel_settings()},
        )
        start, killed_while_sending = START, 0
        for run in range(KILLS):
            log = tmp_path / f"run{run}.log"
            daemon = start_daemon(
                database_url, config, log, *NAMED, "--from", start, "--until", END
            )
            try:
                sent_before = len(smtp.messages)
                wait_for(lambda n=sent_before: len(smtp.messages) > n, 60, "a first delivery")
                time.sleep(rng.uniform(0.05, 0.6))
            finally:
                daemon.send_signal(signal.SIGKILL)
                daemon.wait(timeout=30)
            killed_while_sending += len(smtp.messages) > sent_before
            start = last_tick(log)
        final_log = tmp_path / "final.log"
        final = start_daemon(
            database_url, config, final_log, *NAMED, "--from", start, "--until", END
        )
        assert final.wait(timeout=600) == 0, final_log.read_text()[-2000:]
        received = Counter(smtp.keys())

    with transaction(engine) as session:
        rows = session.scalars(select(OutboxMessage)).all()
        inbox = session.scalar(select(func.count()).select_from(InboxItem))
    by_hash = {reminder_hash(r.dedupe_key): r for r in rows if r.channel == "smtp"}
    duplicated = {key: n for key, n in received.items() if n > 1}
    print(
        f"\n{KILLS} kills ({killed_while_sending} while sending); {len(rows)} reminders "
        f"({len(by_hash)} by e-mail, {inbox} in the inbox); {received.total()} e-mails "
        f"received, {len(received)} distinct, {sum(duplicated.values()) - len(duplicated)} "
        f"duplicates; {sum(r.last_error == INTERRUPTED for r in rows)} sends interrupted"
    )
    assert {r.state for r in rows} == {"sent"}, "every reminder was delivered in the end"
    assert set(received) == set(by_hash), "every e-mail arrived, and nothing else"
    assert inbox == sum(r.channel == "inbox" for r in rows), "the inbox has no window at all"
    assert sum(duplicated.values()) - len(duplicated) <= KILLS, "at most one per kill"
    for key in duplicated:
        row = by_hash[key]
        assert row.attempts >= 2 and row.last_error == INTERRUPTED, "only the documented window"
