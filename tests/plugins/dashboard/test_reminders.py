"""Reminders: the outbox by state, filtered and paged, retrying failed rows (one, or all after
a confirmation), and the coordinators' inbox marked read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from panel_keys import open_panel
from sqlalchemy import Engine, func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from guanai.core.db import session_factory
from guanai.core.models import AuditEvent, InboxItem, OutboxMessage
from guanai.plugins.dashboard import reminders
from guanai.tui import GuanaiApp

MakeApp = Callable[..., GuanaiApp]
Settle = Callable[[Pilot[None]], Awaitable[None]]


def states(engine: Engine) -> dict[str, int]:
    with session_factory(engine)() as session:
        query = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        return dict(session.execute(query).all())  # type: ignore[arg-type]


def column(table: DataTable[object], n: int) -> list[str]:
    return [str(table.get_row_at(r)[n]) for r in range(table.row_count)]


async def open_reminders(pilot: Pilot[None], settle: Settle) -> DataTable[object]:
    await open_panel(pilot, settle, "reminders")
    return pilot.app.query_one("#outbox", DataTable)


async def test_the_outbox_is_listed_newest_first_and_filtered_by_state(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_reminders(pilot, settle)
        counts = str(app.query_one("#outbox-counts", Static).render())
        assert counts.startswith("待发 2  发送中 0  已发 3  失败 2")
        assert column(table, 0)[0] == "10-20 07:00" and table.row_count == 7
        await pilot.press("f", "f", "f")  # all → pending → sent → failed
        await settle(pilot)
        assert column(table, 4) == ["失败×5", "失败×5"]
        assert column(table, 5) == ["⚠ HTTP 502 from robot", "⚠ 550 mailbox unavailable"]


async def test_retry_one_failed_row_then_all_after_confirming(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_reminders(pilot, settle)
        await pilot.press("t")  # the newest row is pending: refused
        await settle(pilot)
        assert states(demo_engine)["failed"] == 2
        await pilot.press("down", "down", "t")  # the webhook escalation that failed
        await settle(pilot)
        assert states(demo_engine) == {"pending": 3, "sent": 3, "failed": 1}
        await pilot.press("a")
        await settle(pilot)
        assert "重新发送全部 1 条" in str(app.screen.query_one(".question", Static).render())
        await pilot.press("n")  # not now
        await settle(pilot)
        assert states(demo_engine)["failed"] == 1
        await pilot.press("a", "y")
        await settle(pilot)
        assert states(demo_engine) == {"pending": 4, "sent": 3}
        assert "失败 0" in str(app.query_one("#outbox-counts", Static).render())
        assert table.row_count == 7
    with session_factory(demo_engine)() as session:
        actions = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "outbox-retry")
        )
        assert list(actions) == ["tester", "tester"]


async def test_pages_follow_the_keyset(
    demo_engine: Engine, make_app: MakeApp, settle: Settle, monkeypatch: object
) -> None:
    monkeypatch.setattr(reminders, "PAGE", 3)  # type: ignore[attr-defined]
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_reminders(pilot, settle)
        first = column(table, 0)
        await pilot.press("n")
        await settle(pilot)
        second = column(table, 0)
        await pilot.press("n", "n")  # the third page is the last: a fourth is not asked for
        await settle(pilot)
        assert "第3页" in str(app.query_one("#outbox-counts", Static).render())
        assert column(table, 0) == ["10-20 01:00"]
        await pilot.press("p")
        await settle(pilot)
        assert column(table, 0) == first and len(set(first) | set(second)) == 6


async def test_the_coordinators_inbox_is_shown_and_marked_read(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_reminders(pilot, settle)
        assert "未读 1" in str(app.query_one("#inbox-title", Static).render())
        inbox = app.query_one("#inbox", DataTable)
        assert [str(c) for c in inbox.get_row_at(0)] == [
            "●",
            "10-20 04:00",
            "上报：提醒 4：escalation",
        ]
        await pilot.press("m")
        await settle(pilot)
        assert "未读 0" in str(app.query_one("#inbox-title", Static).render())
    with session_factory(demo_engine)() as session:
        assert (
            session.scalar(select(func.count()).where(InboxItem.read_at.is_(None))) == 1
        )  # a teacher's


async def test_a_sent_row_that_may_have_arrived_twice_says_so(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    from sqlalchemy import update

    from guanai.core.reminders.outbox import INTERRUPTED

    with session_factory(demo_engine)() as session, session.begin():
        first_sent = select(func.min(OutboxMessage.id)).where(OutboxMessage.state == "sent")
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first_sent.scalar_subquery())
            .values(attempts=2, last_error=INTERRUPTED)
        )
    app = make_app(demo_engine)
    async with app.run_test(size=(160, 24)) as pilot:
        table = await open_reminders(pilot, settle)
        await pilot.press("f", "f")  # all → pending → sent
        await settle(pilot)
        details = column(table, 5)
        assert details.count(f"⚠ {INTERRUPTED}") == 1
        assert "已发×2" in column(table, 4)
