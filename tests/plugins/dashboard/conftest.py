"""Fixtures for dashboard tests: a demo school on SQLite at a frozen time, and the app on it.

The demo database is made once per session by the real ``guanai demo`` command (60 children,
the 2026 autumn term planned and ticked to 2026-10-20 08:00 in Shanghai), then copied for each
test, so a test may change its copy freely. Its outbox holds a fixed set of reminders instead
of whatever the tick queued, so that reminder panels and snapshots do not depend on it.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, delete, select
from textual.pilot import Pilot

from guanai.cli import cli
from guanai.core.config import Settings
from guanai.core.db import make_engine, transaction
from guanai.core.i18n import Label
from guanai.core.models import InboxItem, OutboxMessage, School, Teacher
from guanai.core.pm import build_plugin_manager
from guanai.core.reminders.message import Content, Section
from guanai.service import Guanai
from guanai.testing.dashboard import guanai_dashboard, settle
from guanai.tui import GuanaiApp

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 20, 8, 0, tzinfo=SHANGHAI)
DEMO_CHILDREN = 60

# (kind, channel, recipient: teacher index or None for the coordinators' office, state, error)
OUTBOX = (
    ("digest", "inbox", 0, "sent", None),
    ("digest", "smtp", 1, "sent", None),
    ("digest", "smtp", 2, "failed", "550 mailbox unavailable"),
    ("escalation", "inbox", None, "sent", None),
    ("escalation", "webhook", None, "failed", "HTTP 502 from robot"),
    ("weekly", "smtp", 3, "pending", None),
    ("weekly", "webhook", None, "pending", None),
)


def make_demo_database(url: str) -> None:
    """``guanai demo`` into ``url``, exactly as a user runs it."""
    result = CliRunner().invoke(
        cli,
        ["--db", url, "demo", "--children", str(DEMO_CHILDREN), "--now", NOW.isoformat()],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output


def reset_outbox(engine: Engine) -> None:
    """Replace the outbox and the inbox with :data:`OUTBOX`, created an hour apart up to NOW."""
    with transaction(engine) as session:
        session.execute(delete(InboxItem))
        session.execute(delete(OutboxMessage))
        school_id = session.scalar(select(School.id).order_by(School.id).limit(1))
        teachers = list(session.scalars(select(Teacher.id).order_by(Teacher.id).limit(4)))
        for n, (kind, channel, who, state, error) in enumerate(OUTBOX):
            at = NOW - timedelta(hours=len(OUTBOX) - n)
            title = Label(f"提醒 {n + 1}：{kind}", f"Reminder {n + 1}: {kind}")
            payload = Content(title, (Section(Label("待办", "To do"), (title,)),)).as_payload()
            message = OutboxMessage(
                dedupe_key=f"test:{n}",
                kind=kind,
                channel=channel,
                recipient_id=None if who is None else teachers[who],
                school_id=school_id,
                payload=payload,
                created_at=at,
                state=state,
                attempts=0 if state == "pending" else 1 if state == "sent" else 5,
                sent_at=at if state == "sent" else None,
                last_error=error,
            )
            session.add(message)
            session.flush()
            if channel == "inbox" and state == "sent":
                session.add(
                    InboxItem(
                        outbox_id=message.id,
                        school_id=school_id,
                        teacher_id=message.recipient_id,
                        kind=kind,
                        payload=payload,
                        created_at=at,
                    )
                )


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    url = f"sqlite:///{path}"
    make_demo_database(url)
    engine = make_engine(url)
    try:
        reset_outbox(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture
def demo_engine(_demo_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """An engine on this test's own copy of the demo database."""
    path = tmp_path / "demo.db"
    shutil.copyfile(_demo_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def frozen_now() -> datetime:
    return NOW


MakeService = Callable[..., Guanai]
MakeApp = Callable[..., GuanaiApp]


@pytest.fixture
def make_service() -> MakeService:
    """``make_service(engine, now=NOW, actor="tester", pm=None, school_code=None)``: the
    application service on ``engine``, its clock frozen."""

    def make(
        engine: Engine,
        now: datetime = NOW,
        actor: str = "tester",
        pm: object = None,
        school_code: str | None = None,
    ) -> Guanai:
        manager = pm or build_plugin_manager(load_entry_points=False)
        settings = Settings(database_url=str(engine.url))
        return Guanai(
            settings,
            manager,  # type: ignore[arg-type]
            actor,
            engine=engine,
            clock=lambda: now,
            school_code=school_code,
        )

    return make


@pytest.fixture
def make_app(make_service: MakeService) -> MakeApp:
    """``make_app(engine, now=NOW, actor="tester", pm=None)``: the real app, its clock frozen."""

    def make(engine: Engine, **options: object) -> GuanaiApp:
        return GuanaiApp(make_service(engine, **options))

    return make


Settle = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture(name="settle")
def settle_fixture() -> Settle:
    """``await settle(pilot)``: :func:`guanai.testing.dashboard.settle`."""
    return settle


__all__ = ["guanai_dashboard"]  # the fixture, as a plugin's tests get it from guanai.testing
