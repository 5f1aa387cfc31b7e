"""One workflow's tasks: every step of an activity type in the term, and completing any of them.

Opened with Enter on a row of the Term panel's workflows view. School-wide and class steps
(the welcome activity, a class's guardian meeting) are completed here as a child's are from
the child card: ``r`` opens the step's :class:`~guanai.plugins.dashboard.forms.RecordForm`.
Before the form opens, the task is read again and refused when it is finished or waits for an
earlier step, or when the acting user may not change anything; the engine checks the same
when the record is saved. The list is a window of :data:`WINDOW` rows (``n``/``p`` page),
open tasks only until ``o`` shows all.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from guanai import GuanaiError, Label
from guanai.plugins.dashboard.forms import RecordForm
from guanai.plugins.dashboard.widgets import NO_SCHOOL, PlainStatic, PlainTable, fill
from guanai.tui import (
    WINDOW,
    ActivityTask,
    Guanai,
    TaskKey,
    TaskWindow,
    described,
    localize_bindings,
)

COLUMNS = (
    Label("步骤", "Step"),
    Label("对象", "Subject"),
    Label("负责", "Assignee"),
    Label("安排", "Planned"),
    Label("截止", "Due"),
    Label("状态", "State"),
)
WAITING = Label("待前一步", "waiting")


def cells(task: ActivityTask) -> tuple[str, ...]:
    state = WAITING if task.waiting and task.is_open else task.state_label
    return (
        str(task.step_title),
        task.subject,
        task.assignee or "—",
        f"{task.scheduled_on:%m-%d}",
        f"{task.due_on:%m-%d}",
        str(state),
    )


class ActivityTasksScreen(Screen[bool]):
    """Dismissed with whether a task was completed, so the Term panel can be read again."""

    DEFAULT_CSS = """
    ActivityTasksScreen #tasks-title { height: 1; padding: 0 1; text-style: bold; }
    ActivityTasksScreen #tasks-message { height: auto; padding: 0 1; color: $warning; }
    ActivityTasksScreen DataTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", described(Label("关闭", "Close"))),
        Binding("r", "record_task", described(Label("完成任务", "Complete task"))),
        Binding("o", "toggle_open", described(Label("未完成/全部", "Open/all"))),
        Binding("n", "next_page", described(Label("下页", "Next page"))),
        Binding("p", "first_page", described(Label("首页", "First page"))),
    ]

    def __init__(self, service: Guanai, activity_type: str, title: Label) -> None:
        super().__init__()
        localize_bindings(self)
        self.service = service
        self.activity_type = activity_type
        self.title_label = title
        self.open_only = True
        self.pages: list[TaskKey | None] = [None]  # each window's start, the current one last
        self.window = TaskWindow([], 0, 0, False)
        self.changed = False

    def compose(self) -> ComposeResult:
        yield PlainStatic(str(self.title_label), id="tasks-title")
        yield PlainStatic(id="tasks-message")
        table: DataTable[str] = PlainTable(id="tasks-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*(str(label) for label in COLUMNS))
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="activity-tasks")
    def load(self) -> None:
        try:
            window = self.service.workflow_tasks(
                self.activity_type, open_only=self.open_only, after=self.pages[-1]
            )
        except GuanaiError as error:
            self.app.call_from_thread(self.say, error.label)
            return
        if window is None:
            self.app.call_from_thread(self.say, NO_SCHOOL)
            return
        self.app.call_from_thread(self._show, window)

    def _show(self, window: TaskWindow) -> None:
        self.window = window
        first = (len(self.pages) - 1) * WINDOW
        last = first + len(window.rows)
        span = (
            Label(f"第 {first + 1}–{last} 项", f"rows {first + 1}–{last}")
            if window.rows
            else Label("没有任务", "no tasks")
        )
        which = Label("未完成", "open") if self.open_only else Label("全部", "all")
        more = Label("  n 下页", "  n: more") if window.has_next else Label("", "")
        title = self.title_label
        self.query_one("#tasks-title", Static).update(
            str(
                Label(
                    f"{title.zh} · 未完成 {window.open} / 共 {window.total} · "
                    f"显示{which.zh}：{span.zh}{more.zh}",
                    f"{title.en} · {window.open} open / {window.total} · "
                    f"showing {which.en}: {span.en}{more.en}",
                )
            )
        )
        fill(
            self.query_one("#tasks-table", DataTable),
            [cells(task) for task in window.rows],
            [str(task.task_id) for task in window.rows],
        )

    def say(self, message: Label) -> None:
        self.query_one("#tasks-message", Static).update(str(message))

    def action_toggle_open(self) -> None:
        self.open_only = not self.open_only
        self.action_first_page()

    def action_next_page(self) -> None:
        if self.window.has_next:
            self.pages.append(self.window.rows[-1].key)
            self.load()

    def action_first_page(self) -> None:
        self.pages = [None]
        self.load()

    def action_record_task(self) -> None:
        table = self.query_one("#tasks-table", DataTable)
        if not self.window.rows or table.row_count == 0:
            return
        self.check(self.window.rows[table.cursor_row])

    @work(thread=True, exclusive=True, group="activity-tasks-check")
    def check(self, task: ActivityTask) -> None:
        """Refuse, with the reason, what cannot be completed; else open the record form."""
        try:
            reason = self.service.task_refusal(task.task_id)
        except GuanaiError as error:
            reason = error.label
        if reason is not None:
            self.app.call_from_thread(self.say, reason)
            return
        self.app.call_from_thread(self._complete, task)

    def _complete(self, task: ActivityTask) -> None:
        self.say(Label("", ""))
        form = RecordForm(
            self.service, task.task_id, task.activity_type, task.step, subject=task.subject
        )
        self.app.push_screen(form, self._after)

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.changed = True
            self.say(Label("已保存", "saved"))
            self.load()

    def action_close(self) -> None:
        self.dismiss(self.changed)
