"""What the built-in panels share: loading in a worker thread, acting through the service,
text and tables that show data as typed, and a confirmation dialog.

A panel's ``fetch`` runs in a thread and returns what one of the service's panel reads
returned; its ``show`` puts that data on screen on the interface thread. An action is one
service method run in a thread (it opens its transaction, applies the access rule and tells
the plugins); its result is then handed to ``done`` on the interface thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowKey
from textual.worker import Worker, get_current_worker

from guanai import GuanaiError, Label, terminal_safe
from guanai.tui import Panel, described

T = TypeVar("T")
R = TypeVar("R")
NO_SCHOOL = Label(
    "还没有学校：在“教师”面板按 s 建立本校，或运行 guanai school create，或导入填好“学校”表的名册",
    "No school yet: press s on the Teachers panel to create it, or run guanai school create, or"
    " import a workbook with its 学校 sheet filled in",
)


class PlainStatic(Static):
    """Text from data, shown as typed: never read as markup (a child named ``[/b]`` would stop
    the dashboard, one named ``[@click=app.quit]…`` would make a link that runs an action), and
    a character that could act on the terminal shown escaped (``\\u001b``). The built-in
    panels show every text through it, and every table through :class:`PlainTable`."""

    def __init__(self, content: str = "", **options: Any) -> None:
        super().__init__(terminal_safe(content), markup=False, **options)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        if isinstance(content, str):
            content = terminal_safe(content)
        super().update(content, layout=layout)


class PlainTable(DataTable[Any]):
    """A table whose text cells are shown as typed, as :class:`PlainStatic` shows text.

    DataTable reads a string cell as Rich markup, so a cell holding ``[`` is stored escaped
    for it; any other cell is stored, and reads back, as given.
    """

    def add_row(
        self,
        *cells: Any,
        height: int | None = 1,
        key: str | None = None,
        label: Any = None,
    ) -> RowKey:
        shown = (_unmarked(cell) if isinstance(cell, str) else cell for cell in cells)
        return super().add_row(*shown, height=height, key=key, label=label)


def _unmarked(cell: str) -> str:
    cell = terminal_safe(cell)
    return escape(cell) if "[" in cell else cell


def notify_text(widget: Widget, message: str, severity: SeverityLevel = "information") -> None:
    """A notification from data (a refusal, a student number): as text, never markup."""
    widget.notify(terminal_safe(message), severity=severity, markup=False)


class DataPanel(Panel, Generic[T]):
    """A panel that reads its data in a worker thread each time it is shown (not before)."""

    def reload(self) -> None:
        self.run_worker(self._load, thread=True, exclusive=True, group="load", exit_on_error=False)

    def fetch(self) -> T:
        """One read of the service (in a worker thread)."""
        raise NotImplementedError

    def show(self, data: T) -> None:
        raise NotImplementedError

    def _load(self) -> None:
        worker = get_current_worker()
        try:
            data = self.fetch()
        except GuanaiError as error:
            self.app.call_from_thread(notify_text, self, str(error), "error")
            return
        self.app.call_from_thread(self._show_current, worker, data)

    def _show_current(self, worker: Worker[None], data: T) -> None:
        """Show what a load read, unless a newer load replaced it meanwhile (``exclusive``
        cancels the older worker, but its thread runs to the end): a stale result shown late
        would leave its rows' widths in the table."""
        if not worker.is_cancelled:
            self.show(data)

    def act(self, change: Callable[[], R], done: Callable[[R], Any]) -> None:
        """Run ``change`` (a call of one service action) in a worker, then ``done`` with its
        result on the interface thread; a refusal or error is shown as a notification."""

        def work() -> None:
            try:
                result = change()
            except GuanaiError as error:
                self.app.call_from_thread(notify_text, self, str(error), "error")
                return
            self.app.call_from_thread(done, result)

        self.run_worker(work, thread=True, group="act", exit_on_error=False)


def fill(table: DataTable[Any], rows: list[tuple[Any, ...]], keys: list[str] | None = None) -> None:
    """Replace a table's rows, keeping the cursor where it was when it still fits."""
    row = table.cursor_row
    table.clear()
    for n, cells in enumerate(rows):
        table.add_row(*cells, key=keys[n] if keys else None)
    if rows:
        table.move_cursor(row=min(row, len(rows) - 1), scroll=False)


def percent(part: int, whole: int) -> str:
    return f"{100 * part // whole}%" if whole else "-"


class ConfirmScreen(ModalScreen[bool]):
    """Ask before a change: the question, what it will do, and y / n."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; height: auto; max-height: 20; border: thick $warning; padding: 0 1;
        background: $surface;
    }
    ConfirmScreen .question { text-style: bold; }
    ConfirmScreen .keys { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", described(Label("确定", "Yes"))),
        Binding("n,escape", "answer(False)", described(Label("取消", "No"))),
    ]

    def __init__(self, question: Label, body: str) -> None:
        super().__init__()
        self.question = question
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield PlainStatic(str(self.question), classes="question")
            yield PlainStatic(self.body, id="confirm-body")
            yield PlainStatic(str(Label("y 确定    n 取消", "y yes    n no")), classes="keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
