"""Reminders: the outbox (pending, sent, failed) a page at a time, retrying failed ones, and
the coordinators' office inbox."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from guanai import Label
from guanai.plugins.dashboard.widgets import (
    NO_SCHOOL,
    ConfirmScreen,
    DataPanel,
    PlainStatic,
    PlainTable,
    fill,
)
from guanai.tui import (
    KIND_LABELS,
    OUTBOX_STATES,
    STATE_LABELS,
    Guanai,
    OutboxPage,
    OutboxRow,
    RemindersView,
    described,
)

FILTERS: tuple[str | None, ...] = (None, "pending", "sent", "failed")
PAGE = 50


class RemindersPanel(DataPanel[RemindersView]):
    panel_id = "reminders"
    title = Label("提醒", "Reminders")
    order = 50
    DEFAULT_CSS = """
    RemindersPanel .line { height: 1; padding: 0 1; background: $boost; }
    RemindersPanel #outbox { height: 1fr; }
    RemindersPanel #inbox { height: 6; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "filter", described(Label("筛选", "Filter"))),
        Binding("t", "retry_one", described(Label("重试", "Retry"))),
        Binding("a", "retry_all", described(Label("全部重试", "Retry all"))),
        Binding("n", "next_page", described(Label("下页", "Next page"))),
        Binding("p", "first_page", described(Label("首页", "First page"))),
        Binding("m", "mark_read", described(Label("已读", "Mark read"))),
    ]

    def __init__(self, service: Guanai) -> None:
        super().__init__(service)
        self.state: str | None = None
        self.pages: list[int | None] = [None]  # each page's before_id, the current one last
        self._page: OutboxPage | None = None

    def compose(self) -> ComposeResult:
        yield PlainStatic(id="outbox-counts", classes="line")
        yield PlainTable(id="outbox", cursor_type="row", zebra_stripes=True)
        yield PlainStatic(id="inbox-title", classes="line")
        yield PlainTable(id="inbox", cursor_type="row", show_header=False)

    def on_mount(self) -> None:
        self.query_one("#outbox", DataTable).add_columns(
            *(
                str(label)
                for label in (
                    Label("创建", "Created"),
                    Label("类型", "Kind"),
                    Label("渠道", "Channel"),
                    Label("收件人", "To"),
                    Label("状态", "State"),
                    Label("标题 / 错误", "Title / error"),
                )
            )
        )
        self.query_one("#inbox", DataTable).add_columns("", "", "")

    def fetch(self) -> RemindersView:
        return self.service.reminders_view(self.state, self.pages[-1], PAGE)

    def show(self, data: RemindersView) -> None:
        self._page = data.page
        counts = self.query_one("#outbox-counts", Static)
        if self._page is None:
            counts.update(str(NO_SCHOOL))
            return
        page, zone = self._page, self.service.now().tzinfo
        totals = "  ".join(
            f"{STATE_LABELS[s]} {sum(page.counts.get(s, {}).values())}" for s in OUTBOX_STATES
        )
        shown = STATE_LABELS[self.state] if self.state else Label("全部", "all")
        more = str(Label(" 下页 n", "  more: n")) if page.has_more else ""
        number = str(Label(f"第{len(self.pages)}页", f"page {len(self.pages)}"))
        counts.update(f"{totals}  | {Label('显示', 'showing')}：{shown} {number}{more}")
        fill(
            self.query_one("#outbox", DataTable),
            [_outbox_cells(row, zone) for row in page.rows],
            [str(row.id) for row in page.rows],
        )
        self.query_one("#inbox-title", Static).update(
            str(
                Label(
                    f"协调员收件箱（未读 {page.unread}）",
                    f"Coordinators' inbox ({page.unread} unread)",
                )
            )
        )
        fill(
            self.query_one("#inbox", DataTable),
            [
                (
                    "" if item.read else "●",
                    f"{item.created_at.astimezone(zone):%m-%d %H:%M}",
                    f"{KIND_LABELS.get(item.kind, Label(item.kind, item.kind))}：{item.title}",
                )
                for item in page.inbox
            ],
        )

    def action_filter(self) -> None:
        self.state = FILTERS[(FILTERS.index(self.state) + 1) % len(FILTERS)]
        self.pages = [None]
        self.reload()

    def action_next_page(self) -> None:
        if self._page is not None and self._page.has_more:
            self.pages.append(self._page.rows[-1].id)
            self.reload()

    def action_first_page(self) -> None:
        self.pages = [None]
        self.reload()

    def action_retry_one(self) -> None:
        table = self.query_one("#outbox", DataTable)
        if self._page is None or not self._page.rows:
            return
        row = self._page.rows[table.cursor_row]
        if row.state != "failed":
            self.notify(
                str(Label("只能重试发送失败的提醒", "Only failed reminders can be retried"))
            )
            return
        self._retry([row.id])

    def action_retry_all(self) -> None:
        if self._page is None:
            return
        failed = sum(self._page.counts.get("failed", {}).values())
        question = Label(
            f"重新发送全部 {failed} 条失败的提醒？", f"Retry all {failed} failed reminders?"
        )
        body = str(
            Label("它们回到待发队列，尝试次数清零。", "They go back to the queue, attempts reset.")
        )
        self.app.push_screen(ConfirmScreen(question, body), self._confirmed_retry_all)

    def _confirmed_retry_all(self, answer: bool | None) -> None:
        if answer:
            self._retry(None)

    def _retry(self, ids: list[int] | None) -> None:
        def done(n: int) -> None:
            self.notify(str(Label(f"已重新排队 {n} 条提醒", f"{n} reminders queued again")))
            self.reload()

        self.act(lambda: self.service.retry_outbox(ids), done)

    def action_mark_read(self) -> None:
        self.act(self.service.mark_office_inbox_read, lambda _: self.reload())


def _outbox_cells(row: OutboxRow, zone: tzinfo | None) -> tuple[Any, ...]:
    state = str(STATE_LABELS.get(row.state, Label(row.state, row.state)))
    if row.attempts > 1:
        state += f"×{row.attempts}"
    shown = row.last_error and (row.state == "failed" or row.possibly_delivered)
    detail = f"⚠ {row.last_error}" if shown else str(row.title)
    return (
        f"{row.created_at.astimezone(zone):%m-%d %H:%M}",
        str(KIND_LABELS.get(row.kind, Label(row.kind, row.kind))),
        row.channel,
        row.recipient,
        state,
        detail,
    )
