"""Teachers: load and talk compliance; charts of talks by month and records by class; issuing
and revoking a teacher's calendar feed (shown with a QR code)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import ContentSwitcher, DataTable, Static

from guanai.core.dashboard_data import Scope
from guanai.core.dashboard_data.teachers import (
    Bar,
    TeacherLoad,
    records_by_class,
    talks_by_month,
    teacher_loads,
)
from guanai.core.feeds.tokens import issue_feed, revoke_feed
from guanai.core.i18n import Label
from guanai.core.models import FeedSubscription
from guanai.plugins.dashboard.charts import BarChart
from guanai.plugins.dashboard.feed_dialog import FeedScreen
from guanai.plugins.dashboard.widgets import NO_SCHOOL, ConfirmScreen, DataPanel, fill, percent
from guanai.plugins.ical import DEFAULT_BASE_URL, feed_urls
from guanai.tui import described


@dataclass(frozen=True)
class TeachersData:
    scope: Scope | None
    loads: tuple[TeacherLoad, ...] = ()
    talks: tuple[Bar, ...] = ()
    records: tuple[Bar, ...] = ()


class TeachersPanel(DataPanel[TeachersData]):
    panel_id = "teachers"
    title = Label("教师", "Teachers")
    order = 40
    DEFAULT_CSS = """
    TeachersPanel .line { height: 1; padding: 0 1; background: $boost; }
    TeachersPanel ContentSwitcher { height: 1fr; }
    TeachersPanel #charts { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "switch_view", described(Label("表格/图表", "Table/charts"))),
        Binding("i", "issue_feed", described(Label("发订阅", "Issue feed"))),
        Binding("x", "revoke_feed", described(Label("撤销订阅", "Revoke feed"))),
    ]

    def compose(self) -> ComposeResult:
        self._data = TeachersData(None)
        yield Static(id="teachers-summary", classes="line")
        with ContentSwitcher(initial="teachers"):
            yield DataTable(id="teachers", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="charts"):
                yield BarChart(
                    str(Label("谈心：已谈 / 应谈（按月）", "Talks held / due, by month")),
                    id="talk-chart",
                )
                yield BarChart(
                    str(Label("建档完整（按班级）", "Complete records, by class")),
                    id="record-chart",
                )

    def on_mount(self) -> None:
        self.query_one("#teachers", DataTable).add_columns(
            *(
                str(label)
                for label in (
                    Label("工号", "Code"),
                    Label("教师", "Teacher"),
                    Label("结对", "Paired"),
                    Label("未完成", "Open"),
                    Label("逾期", "Late"),
                    Label("本月谈心", "Talks (month)"),
                    Label("订阅", "Feeds"),
                )
            )
        )

    def fetch(self, session: Session) -> TeachersData:
        scope = self.scope(session)
        if scope is None or scope.term_id is None:
            return TeachersData(scope)
        months = talks_by_month(session, scope)
        return TeachersData(
            scope,
            tuple(teacher_loads(session, scope)),
            tuple(Bar(str(Label(f"{m.month}月", f"{m:%b}")), held, due) for m, due, held in months),
            tuple(records_by_class(session, scope)),
        )

    def show(self, data: TeachersData) -> None:
        self._data = data
        summary = self.query_one("#teachers-summary", Static)
        if data.scope is None:
            summary.update(str(NO_SCHOOL))
            return
        due = sum(t.talks_due for t in data.loads)
        held = sum(t.talks_held for t in data.loads)
        summary.update(
            f"{data.scope.school_name}  "
            + str(
                Label(
                    f"{len(data.loads)} 位教师  本月谈心 {held}/{due}（{percent(held, due)}）",
                    f"{len(data.loads)} teachers  talks this month {held}/{due} ({percent(held, due)})",
                )
            )
        )
        fill(
            self.query_one("#teachers", DataTable),
            [
                (
                    t.code,
                    t.name,
                    t.paired,
                    t.open,
                    t.late,
                    f"{t.talks_held}/{t.talks_due}",
                    t.feeds or "",
                )
                for t in data.loads
            ],
        )
        self.query_one("#talk-chart", BarChart).set_bars(list(data.talks))
        self.query_one("#record-chart", BarChart).set_bars(list(data.records))

    def action_switch_view(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "charts" if switcher.current == "teachers" else "teachers"
        self.query_one(f"#{switcher.current}").focus()

    def _selected(self) -> tuple[Scope, TeacherLoad] | None:
        table = self.query_one("#teachers", DataTable)
        if self._data.scope is None or not self._data.loads:
            return None
        return self._data.scope, self._data.loads[table.cursor_row]

    def action_issue_feed(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        (scope, teacher), now = selected, self.dashboard.now()
        term_key = scope.term_key or self.dashboard.settings.term

        def issue(session: Session) -> str:
            issued = issue_feed(
                session,
                scope="teacher",
                school_id=scope.school_id,
                term_key=term_key,
                label=f"{teacher.name}（{teacher.code}）",
                actor=self.dashboard.actor,
                now=now,
                teacher_id=teacher.id,
            )
            return issued.token

        def show(token: str) -> None:
            self.app.push_screen(FeedScreen(teacher.name, *feed_urls(DEFAULT_BASE_URL, token)))
            self.reload()

        self.act(issue, show)

    def action_revoke_feed(self) -> None:
        selected = self._selected()
        if selected is None or not selected[1].feeds:
            self.notify(str(Label("该教师没有有效的订阅", "This teacher has no live feed")))
            return
        teacher, now = selected[1], self.dashboard.now()

        def revoke(session: Session) -> int:
            ids = session.scalars(
                select(FeedSubscription.id).where(
                    FeedSubscription.teacher_id == teacher.id,
                    FeedSubscription.scope == "teacher",
                    FeedSubscription.revoked_at.is_(None),
                )
            ).all()
            for subscription_id in ids:
                revoke_feed(session, subscription_id, now)
            return len(ids)

        def answered(answer: bool | None) -> None:
            if answer:
                self.act(revoke, self._revoked)

        question = Label(
            f"撤销 {teacher.name} 的 {teacher.feeds} 个日历订阅？",
            f"Revoke {teacher.name}'s {teacher.feeds} feed(s)?",
        )
        body = str(Label("已订阅的日历将不再更新。", "Subscribed calendars stop updating."))
        self.app.push_screen(ConfirmScreen(question, body), answered)

    def _revoked(self, count: int) -> None:
        self.notify(str(Label(f"已撤销 {count} 个订阅", f"{count} feed(s) revoked")))
        self.reload()
