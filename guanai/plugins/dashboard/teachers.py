"""Teachers: load and talk compliance; charts of talks by month and records by class; issuing
and revoking a teacher's calendar feed (shown with a QR code); issuing a teacher's link to
their phone pages (``p``, shown with a QR code); setting the school up (``s``: rename it, add
a class or a teacher).

Feed and phone links are built on the server address the teachers' phones reach (one
``guanai serve`` serves both): the ``[feeds] base_url`` setting (``service.feed_base_url``).
Without one, the panel asks for it before it shows a QR code, and keeps what was typed for
this session only; a loopback address is refused, as no phone can reach it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import ContentSwitcher, DataTable, Static

from guanai import IssuedTeacherLink, Label
from guanai.plugins.dashboard.charts import BarChart
from guanai.plugins.dashboard.feed_dialog import BaseUrlScreen, FeedScreen
from guanai.plugins.dashboard.link_dialog import LinkScreen
from guanai.plugins.dashboard.school_setup import SchoolSetupScreen
from guanai.plugins.dashboard.widgets import (
    NO_SCHOOL,
    ConfirmScreen,
    DataPanel,
    PlainStatic,
    PlainTable,
    fill,
    percent,
)
from guanai.tui import (
    Bar,
    GuanaiApp,
    IssuedFeedLink,
    TeacherLoad,
    TeachersView,
    described,
)


class TeachersPanel(DataPanel[TeachersView]):
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
        Binding("p", "issue_link", described(Label("手机链接", "Phone link"))),
        Binding("s", "school_setup", described(Label("本校设置", "School setup"))),
    ]

    def compose(self) -> ComposeResult:
        self._data = TeachersView(None)
        yield PlainStatic(id="teachers-summary", classes="line")
        with ContentSwitcher(initial="teachers"):
            yield PlainTable(id="teachers", cursor_type="row", zebra_stripes=True)
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

    def fetch(self) -> TeachersView:
        return self.service.teachers_view()

    def show(self, data: TeachersView) -> None:
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
        talks = [
            Bar(str(Label(f"{m.month.month}月", f"{m.month:%b}")), m.held, m.due)
            for m in data.talks
        ]
        self.query_one("#talk-chart", BarChart).set_bars(talks)
        self.query_one("#record-chart", BarChart).set_bars(list(data.records))

    def action_switch_view(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "charts" if switcher.current == "teachers" else "teachers"
        self.query_one(f"#{switcher.current}").focus()

    def _selected(self) -> TeacherLoad | None:
        table = self.query_one("#teachers", DataTable)
        if self._data.scope is None or not self._data.loads:
            return None
        return self._data.loads[table.cursor_row]

    def action_issue_feed(self) -> None:
        """Issue the highlighted teacher a feed and show its link and QR code, once the
        server address the teachers' phones reach is known."""
        self._with_base_url(self._issue)

    def action_issue_link(self) -> None:
        """Issue the highlighted teacher a link to their phone pages (making their teacher
        account if they have none) and show it with its QR code."""
        self._with_base_url(self._issue_link)

    def _with_base_url(self, issue: Callable[[TeacherLoad, str], None]) -> None:
        """``issue`` for the highlighted teacher on the server address, asked for first when
        neither the settings nor this session know it."""
        teacher = self._selected()
        if teacher is None:
            return
        app = self.app
        assert isinstance(app, GuanaiApp)
        if app.feed_base_url is None:
            self.app.push_screen(BaseUrlScreen(), lambda typed: self._typed(teacher, typed, issue))
            return
        issue(teacher, app.feed_base_url)

    def _typed(
        self, teacher: TeacherLoad, typed: str | None, issue: Callable[[TeacherLoad, str], None]
    ) -> None:
        app = self.app
        assert isinstance(app, GuanaiApp)
        if typed:
            app.typed_feed_base_url = typed  # for this session only: the config is not written
            issue(teacher, typed)

    def _issue_link(self, teacher: TeacherLoad, base_url: str) -> None:
        scope = self._data.scope
        school = scope.school_code if scope else None

        def issue() -> IssuedTeacherLink:
            return self.service.issue_teacher_link(
                teacher.code, school_code=school, base_url=base_url
            )

        self.act(issue, lambda issued: self.app.push_screen(LinkScreen(issued)))

    def _issue(self, teacher: TeacherLoad, base_url: str) -> None:
        scope = self._data.scope
        school, term = (scope.school_code, scope.term_key) if scope else (None, None)

        def show(issued: IssuedFeedLink) -> None:
            assert issued.url is not None and issued.webcal_url is not None  # base_url given
            self.app.push_screen(FeedScreen(teacher.name, issued.url, issued.webcal_url))
            self.reload()

        def issue() -> IssuedFeedLink:
            return self.service.issue_feed(
                teacher_code=teacher.code, school_code=school, term_key=term, base_url=base_url
            )

        self.act(issue, show)

    def action_school_setup(self) -> None:
        """Create or rename the school, add a class or a teacher (:mod:`.school_setup`)."""
        scope = self._data.scope
        screen = SchoolSetupScreen(
            self.service,
            scope.school_code if scope is not None else None,
            scope.school_name if scope is not None else "",
        )
        self.app.push_screen(screen, lambda changed: self.reload() if changed else None)

    def action_revoke_feed(self) -> None:
        teacher = self._selected()
        if teacher is None or not teacher.feeds:
            self.notify(str(Label("该教师没有有效的订阅", "This teacher has no live feed")))
            return

        def revoke() -> int:
            ids = self.service.live_feed_ids(teacher.id)
            for subscription_id in ids:
                self.service.revoke_feed(subscription_id)
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
