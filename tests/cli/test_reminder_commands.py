"""``guanai run --once`` delivers what a tick queued; ``guanai outbox`` lists reminders with
their state and reason; ``guanai outbox retry`` queues failed ones again, audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from servers import free_port
from sqlalchemy import create_engine, select

from guanai.cli import cli
from guanai.core.models import AuditEvent
from guanai.core.pm import build_plugin_manager


@pytest.fixture
def run(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    config = tmp_path / "guanai.toml"
    config.write_text(
        '[reminders]\nchannels = ["inbox", "smtp"]\nmax_attempts = 1\n\n'
        f'[channels.smtp]\nhost = "127.0.0.1"\nport = {free_port()}\nsecurity = "none"\n'
        'sender = "care@school.example"\ntimeout = 2\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("GUANAI_CONFIG", str(config))
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        pm = build_plugin_manager(load_entry_points=False)
        return runner.invoke(cli, ["--db", database_url, "--as", "李老师", *args], obj=pm)

    assert invoke("demo", "--children", "30", "--now", "2026-09-14T08:00").exit_code == 0
    return invoke


def test_run_once_delivers_to_the_inbox_and_fails_what_cannot_be_sent(run):
    result = run("run", "--once", "--log-format", "text")
    assert result.exit_code == 0, result.output
    listing = run("outbox")
    assert listing.exit_code == 0
    first = listing.output.splitlines()[0]
    assert "已发送" in first and "失败" in first
    failed = run("--lang", "en", "outbox", "--state", "failed")
    assert "smtp" in failed.output and "failed" in failed.output
    assert "inbox" not in failed.output
    assert "ConnectionRefused" in failed.output or "refused" in failed.output


def test_retry_queues_failed_reminders_again_and_records_who(run, database_url):
    run("run", "--once")
    assert run("outbox", "retry").exit_code != 0, "ids or --all are required"
    result = run("outbox", "retry", "--all")
    assert result.exit_code == 0, result.output
    assert "已重新排队" in result.output and " 0 " not in result.output
    assert "待发送 0" not in run("outbox").output
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            actors = (
                connection.execute(
                    select(AuditEvent.actor).where(AuditEvent.action == "outbox-retry")
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    assert actors == ["李老师"]
