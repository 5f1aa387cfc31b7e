"""One child's card: the record (档案), its history, the talks held and every task.

Opened from the Children panel. Everything is read in one worker by one service read
(``service.child_view``), as the acting account may see it: private values are masked for a
viewer who may not see them.
From here the coordinator records a talk (``t``), completes the highlighted task with its
record form (``r``) or changes the pairing (``p``); the card is read again after each. The
form says which task it fills (「记录：十二月谈心 · 班主任谈心（12月1日–31日）」).
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from guanai import GuanaiError, Label
from guanai.plugins.dashboard.forms import RecordForm
from guanai.plugins.dashboard.pairing_dialog import PairingDialog
from guanai.plugins.dashboard.widgets import PlainStatic, PlainTable
from guanai.tui import (
    SCHOOL_TIMEZONE,
    TALK,
    ChildTask,
    ChildView,
    Guanai,
    RosterRow,
    described,
    localize_bindings,
)

TABS = (
    ("card-record", Label("档案", "Record")),
    ("card-history", Label("历史", "History")),
    ("card-talks", Label("谈心", "Talks")),
    ("card-tasks", Label("任务", "Tasks")),
)


class ChildCardScreen(Screen[bool]):
    """Dismissed with whether anything was written, so the roster can be read again."""

    DEFAULT_CSS = """
    ChildCardScreen #card-title { height: 1; padding: 0 1; text-style: bold; }
    ChildCardScreen #card-message { height: auto; padding: 0 1; color: $warning; }
    ChildCardScreen #card-tabs, ChildCardScreen TabPane, ChildCardScreen DataTable {
        height: 1fr;
    }
    ChildCardScreen TabPane { padding: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", described(Label("关闭", "Close"))),
        Binding("t", "record_talk", described(Label("记录谈心", "Record a talk"))),
        Binding("r", "record_task", described(Label("完成任务", "Complete task"))),
        Binding("p", "pair", described(Label("结对", "Pair"))),
        *(
            Binding(str(number), f"show_tab('{tab}')", described(label), show=False)
            for number, (tab, label) in enumerate(TABS, start=1)
        ),
    ]

    def __init__(self, service: Guanai, row: RosterRow) -> None:
        super().__init__()
        localize_bindings(self)
        self.service = service
        self.row = row
        self.tasks: list[ChildTask] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        row = self.row
        yield PlainStatic(f"{row.name} · {row.student_no} · {row.class_name}", id="card-title")
        yield PlainStatic(id="card-message")
        headers = {
            "card-record": (Label("项目", "Field"), Label("内容", "Value")),
            "card-history": (
                Label("时间", "When"),
                Label("操作人", "By"),
                Label("字段", "Field"),
                Label("改动", "Change"),
            ),
            "card-talks": (Label("日期", "Date"), Label("谈心", "Talk"), Label("记录", "Record")),
            "card-tasks": (
                Label("任务", "Task"),
                Label("截止", "Due"),
                Label("状态", "State"),
                Label("负责", "Assignee"),
            ),
        }
        with TabbedContent(id="card-tabs"):
            for tab, label in TABS:
                with TabPane(str(label), id=tab):
                    table: DataTable[str] = PlainTable(id=f"{tab}-table", cursor_type="row")
                    table.add_columns(*(str(h) for h in headers[tab]))
                    yield table
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="child-card")
    def load(self) -> None:
        try:
            view = self.service.child_view(self.row)
        except GuanaiError as error:
            self.app.call_from_thread(self.say, error.label)
            return
        self.app.call_from_thread(self._show, view)

    def _show(self, view: ChildView) -> None:
        card, tasks = view.card, view.tasks
        self.tasks = list(tasks)
        lines = self._table("card-record")
        for line in card.lines:
            lines.add_row(str(line.header), line.value or "—")
        history = self._table("card-history")
        for entry in reversed(card.history):
            change = f"{entry.old or '—'} → {entry.new or '—'}"
            at = entry.at.astimezone(SCHOOL_TIMEZONE)
            history.add_row(f"{at:%Y-%m-%d %H:%M}", entry.by, str(entry.field), change)
        talks = self._table("card-talks")
        for task in tasks:
            if task.activity_type == TALK and task.record:
                values = "；".join(f"{label}：{value}" for label, value in task.record[1:])
                talks.add_row(str(task.record[0][1]), str(task.title), values)
        table = self._table("card-tasks")
        for task in tasks:
            table.add_row(
                str(task.title),
                task.due_on.isoformat(),
                str(task.state_label),
                task.assignee or "—",
                key=str(task.task_id),
            )

    def _table(self, tab: str) -> DataTable[str]:
        table: DataTable[str] = self.query_one(f"#{tab}-table", DataTable)
        table.clear()
        return table

    def say(self, message: Label) -> None:
        self.query_one("#card-message", Static).update(str(message))

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#card-tabs", TabbedContent).active = tab
        self.query_one(f"#{tab}-table", DataTable).focus()

    def action_record_talk(self) -> None:
        """The child's open talk that is due first: what "record a talk" means here."""
        talks = [t for t in self.tasks if t.activity_type == TALK and t.is_open]
        if not talks:
            self.say(Label("没有待记录的谈心", "no open talk to record"))
            return
        self._complete(min(talks, key=lambda t: (t.state == "pending", t.due_on, t.task_id)))

    def action_record_task(self) -> None:
        self.action_show_tab("card-tasks")
        table = self.query_one("#card-tasks-table", DataTable)
        if not self.tasks or table.row_count == 0:
            return
        task = self.tasks[table.cursor_row]
        if not task.is_open:
            self.say(Label("此任务已完成或已取消", "this task is already done or cancelled"))
            return
        self._complete(task)

    def _complete(self, task: ChildTask) -> None:
        form = RecordForm(
            self.service,
            task.task_id,
            task.activity_type,
            task.step,
            subject=f"{self.row.name} · {self.row.student_no}",
            fills=str(task.fills),
        )
        self.app.push_screen(form, self._after)

    def action_pair(self) -> None:
        self.app.push_screen(PairingDialog(self.service, self.row), self._after)

    def _after(self, changed: bool | None) -> None:
        if changed:
            self.changed = True
            self.say(Label("已保存", "saved"))
            self.load()

    def action_close(self) -> None:
        self.dismiss(self.changed)
