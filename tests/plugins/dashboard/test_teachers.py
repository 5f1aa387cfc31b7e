"""Teachers: load and this month's talks per teacher, charts by month and by class, a
teacher's calendar feed issued (link and QR code, once) and revoked, and a teacher's link to
their phone pages issued (link and QR code, once) with the teacher's account."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from panel_keys import open_panel
from sqlalchemy import Engine, func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from guanai import qr_text
from guanai.core.config import FeedSettings
from guanai.core.db import session_factory, transaction
from guanai.core.models import (
    Account,
    Child,
    FeedSubscription,
    Guardian,
    School,
    SchoolClass,
    TeacherLink,
)
from guanai.core.secret_tokens import hash_token
from guanai.plugins.dashboard.charts import BarChart
from guanai.plugins.dashboard.feed_dialog import BaseUrlScreen, FeedScreen
from guanai.plugins.dashboard.link_dialog import LinkScreen
from guanai.service import Guanai
from guanai.service.phone_sessions import PhoneSessions
from guanai.tui import GuanaiApp

MakeApp = Callable[..., GuanaiApp]
MakeService = Callable[..., Guanai]
Settle = Callable[[Pilot[None]], Awaitable[None]]


def monthly_talks(engine: Engine) -> int:
    """A whole month's talks at the demo school: two per child, four per key target (every
    half month), all begun by 20 October."""
    with transaction(engine) as session:
        children = session.scalar(select(func.count(Child.id))) or 0
        key = session.scalar(select(func.count(Child.id)).where(Child.key_target)) or 0
    assert key > 0
    return (children - key) * 2 + key * 4


async def open_teachers(pilot: Pilot[None], settle: Settle) -> DataTable[object]:
    await open_panel(pilot, settle, "teachers")
    return pilot.app.query_one("#teachers", DataTable)


async def test_each_teacher_with_load_and_this_months_talks(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    month = monthly_talks(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_teachers(pilot, settle)
        assert table.row_count == 23
        head_teacher = [str(c) for c in table.get_row_at(1)]
        assert (
            head_teacher[:2] == ["T002", "李晓燕"] and head_teacher[5] == "0/6"
        )  # a key target's 2
        summary = str(app.query_one("#teachers-summary", Static).render())
        assert f"本月谈心 0/{month}（0%）" in summary


async def test_g_shows_talks_by_month_and_records_by_class(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    with transaction(demo_engine) as session:  # two records of 一年级2班 lose a required column
        guardians = (
            select(Guardian).join(Child).join(SchoolClass).where(SchoolClass.name == "一年级2班")
        )
        for guardian in session.scalars(guardians.order_by(Guardian.id).limit(2)):
            guardian.phone = None
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_teachers(pilot, settle)
        await pilot.press("g")
        await settle(pilot)
        talks = app.query_one("#talk-chart", BarChart)
        month = monthly_talks(demo_engine)
        assert [(b.label, b.value, b.total) for b in talks.bars] == [
            ("9月", 0, month),
            ("10月", 0, month),
        ]
        records = app.query_one("#record-chart", BarChart)
        assert len(records.bars) == 12 and sum(b.total for b in records.bars) == 60
        assert "一年级2班" in str(records.render()) and " 3/5  60%" in str(records.render())


async def test_without_a_base_url_the_address_is_asked_before_any_qr_code(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    """No ``[feeds] base_url``: ``i`` asks where phones reach the server, refuses a loopback
    address, and keeps what was typed for the session (the next feed is not asked again)."""
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_teachers(pilot, settle)
        await pilot.press("down", "i")
        await settle(pilot)
        assert isinstance(app.screen, BaseUrlScreen) and not app.screen.query("#qr")
        await pilot.press(*"http://127.0.0.1:8080", "enter")
        await settle(pilot)
        error = str(app.screen.query_one("#base-url-error", Static).render())
        assert "127.0.0.1" in error and isinstance(app.screen, BaseUrlScreen)
        field = app.screen.query_one("#base-url", Input)
        field.value = ""
        await pilot.press(*"https://guanai.school.example", "enter")
        await settle(pilot)
        url = str(app.screen.query_one("#feed-url", Static).render())
        assert url.startswith("https://guanai.school.example/feeds/")
        await pilot.press("escape", "down", "i")
        await settle(pilot)
        assert isinstance(app.screen, FeedScreen)  # not asked again this session
    with session_factory(demo_engine)() as session:
        assert len(session.scalars(select(FeedSubscription.id)).all()) == 2


async def test_issue_a_feed_shows_its_link_once_then_revoke_it(
    demo_engine: Engine, make_service: MakeService, settle: Settle
) -> None:
    service = make_service(demo_engine)
    service.settings = replace(
        service.settings, feeds=FeedSettings(base_url="https://guanai.school.example")
    )
    app = GuanaiApp(service)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_teachers(pilot, settle)
        await pilot.press("down", "i")
        await settle(pilot)
        url = str(app.screen.query_one("#feed-url", Static).render())
        assert url.startswith("https://guanai.school.example/feeds/") and url.endswith(".ics")
        qr = str(app.screen.query_one("#qr", Static).render())
        assert set(qr) <= set("█▀▄ \xa0\n") and len(qr.splitlines()) <= 20
        await pilot.press("escape")
        await settle(pilot)
        assert str(table.get_row_at(1)[6]) == "1"
        with session_factory(demo_engine)() as session:
            token = url.rsplit("/", 1)[1].removesuffix(".ics")
            issued = session.scalars(
                select(FeedSubscription).where(FeedSubscription.token_hash == hash_token(token))
            ).one()
            assert issued.label == "李晓燕（T002）" and issued.revoked_at is None
        await pilot.press("x", "y")
        await settle(pilot)
        assert str(table.get_row_at(1)[6]) == ""
    with session_factory(demo_engine)() as session:
        revoked = session.scalars(select(FeedSubscription.revoked_at)).all()
    assert len(revoked) == 1 and revoked[0] is not None


async def test_revoking_without_a_feed_says_so(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_teachers(pilot, settle)
        await pilot.press("x")
        await settle(pilot)
        assert [n.message for n in app._notifications] == ["该教师没有有效的订阅"]


def with_coordinator(engine: Engine) -> str:
    """Give the demo its coordinator's account, so that a teacher's link may make the
    teacher's (an install with no accounts at all is refused links)."""
    with transaction(engine) as session:
        school = session.scalars(select(School.id)).one()
        session.add(Account(name="关爱办", role="coordinator", school_id=school))
    return "关爱办"


async def test_p_issues_the_teachers_phone_link_and_shows_it_with_its_qr_code(
    demo_engine: Engine, make_service: MakeService, settle: Settle, frozen_now: datetime
) -> None:
    service = make_service(demo_engine, actor=with_coordinator(demo_engine))
    service.settings = replace(
        service.settings, feeds=FeedSettings(base_url="https://guanai.school.example")
    )
    app = GuanaiApp(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_teachers(pilot, settle)
        await pilot.press("down", "p")
        await settle(pilot)
        assert isinstance(app.screen, LinkScreen)
        url = str(app.screen.query_one("#link-url", Static).render())
        assert url.startswith("https://guanai.school.example/t/")
        qr = str(app.screen.query_one("#qr", Static).render())
        assert qr == qr_text(url, border=1).rstrip("\n")  # the code of the whole URL
        account = str(app.screen.query_one("#link-account", Static).render())
        assert account == "以账号 DEMO-T002 记录（新建的教师账号）"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, LinkScreen)
    token = url.rsplit("/", 1)[1]
    assert PhoneSessions(demo_engine, clock=lambda: frozen_now).sign_in(token) is not None
    with session_factory(demo_engine)() as session:
        teacher = session.scalars(select(Account.teacher_id).where(Account.name == "DEMO-T002"))
        assert teacher.one() is not None
        assert session.scalars(select(TeacherLink.created_by)).all() == ["关爱办"]


async def test_p_asks_for_the_server_address_first_when_none_is_set(
    demo_engine: Engine, make_app: MakeApp, settle: Settle
) -> None:
    app = make_app(demo_engine, actor=with_coordinator(demo_engine))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_teachers(pilot, settle)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, BaseUrlScreen) and not app.screen.query("#qr")
        await pilot.press(*"https://guanai.school.example", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LinkScreen)
        url = str(app.screen.query_one("#link-url", Static).render())
        assert url.startswith("https://guanai.school.example/t/")


async def test_p_on_an_install_without_accounts_says_to_add_the_coordinators_first(
    demo_engine: Engine, make_service: MakeService, settle: Settle
) -> None:
    service = make_service(demo_engine)
    service.settings = replace(
        service.settings, feeds=FeedSettings(base_url="https://guanai.school.example")
    )
    app = GuanaiApp(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_teachers(pilot, settle)
        await pilot.press("p")
        await settle(pilot)
        assert not isinstance(app.screen, LinkScreen)
        [message] = [n.message for n in app._notifications]
        assert message.startswith("教师链接以教师本人的账号记录，而本系统还没有任何账号")
    with session_factory(demo_engine)() as session:
        assert session.scalars(select(TeacherLink.id)).all() == []
        assert session.scalars(select(Account.id)).all() == []
