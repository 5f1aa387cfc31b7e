"""Children: the roster as a window of rows, with search, filters and keyset paging.

The table never holds the whole roster: it shows one page (:data:`PAGE_SIZE` rows) read in a
worker thread, and the total comes from a SQL count read after the page, so the rows appear
first. Typing in the search box waits :data:`DEBOUNCE` seconds for the next key, and a new
search cancels the one still running (``exclusive``); its result is dropped if it comes late.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from guanai import GuanaiError, Label
from guanai.plugins.dashboard.child_card import ChildCardScreen
from guanai.plugins.dashboard.import_dialog import ImportDialog
from guanai.plugins.dashboard.pairing_dialog import PairingDialog
from guanai.plugins.dashboard.widgets import PlainStatic, PlainTable
from guanai.tui import PAGE_SIZE, Panel, RosterFilter, RosterKey, RosterPage, RosterRow, described

DEBOUNCE = 0.1  # seconds of quiet after a keystroke before the search runs
GRADES = (None, 1, 2, 3, 4, 5, 6)
COLUMNS = (
    Label("学号", "No."),
    Label("姓名", "Name"),
    Label("班级", "Class"),
    Label("建档", "Record"),
    Label("帮扶教师", "Teacher"),
    Label("最近谈心", "Last talk"),
)
YES, NO = "✓", "✗"


class ChildrenPanel(Panel):
    panel_id = "children"
    title = Label("留守儿童", "Children")
    order = 30
    page_size: ClassVar[int] = PAGE_SIZE

    DEFAULT_CSS = """
    ChildrenPanel { height: 1fr; }
    ChildrenPanel #children-search { margin: 0 1; height: 3; }
    ChildrenPanel #children-filters, ChildrenPanel #children-status { padding: 0 1; height: 1; }
    ChildrenPanel #children-table { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", described(Label("搜索", "Search"))),
        Binding("escape", "focus_table", described(Label("回到列表", "Back to list")), show=False),
        Binding("enter", "open_card", described(Label("档案", "Open card")), show=False),
        Binding("n", "page(1)", described(Label("下页", "Next page"))),
        Binding("b", "page(-1)", described(Label("上页", "Prev page"))),
        # priority: the table would otherwise scroll its own (one-page) rows on these keys
        Binding("pagedown", "page(1)", described(Label("下页", "Next page")), priority=True),
        Binding("pageup", "page(-1)", described(Label("上页", "Prev page")), priority=True),
        Binding("i", "toggle('incomplete')", described(Label("未完整", "Incomplete"))),
        Binding("u", "toggle('unpaired')", described(Label("未结对", "Unpaired"))),
        Binding("k", "toggle('key_target')", described(Label("重点", "Key target"))),
        Binding("g", "next_grade", described(Label("年级", "Grade"))),
        Binding("c", "this_class", described(Label("本班", "This class"))),
        Binding("x", "clear_filters", described(Label("清除筛选", "Clear filters"))),
        Binding("e", "pair", described(Label("结对", "Pair"))),
        Binding("m", "import_roster", described(Label("导入", "Import"))),
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.wanted = RosterFilter()
        self.page: RosterPage | None = None
        self.start = 0  # 0-based position of the page's first row in the whole result
        self.total: int | None = None
        self._class_name = ""
        self._timer: Timer | None = None
        self._anchor: tuple[RosterKey | None, RosterKey | None, int] = (None, None, 0)

    def compose(self) -> ComposeResult:
        yield PlainStatic(id="children-filters")
        table: DataTable[str] = PlainTable(
            id="children-table", cursor_type="row", zebra_stripes=True
        )
        table.add_columns(*(str(label) for label in COLUMNS))
        yield table
        yield Input(
            placeholder=str(Label("/ 搜索姓名或学号", "/ search name or student no.")),
            id="children-search",
        )
        yield PlainStatic(str(Label("加载中…", "Loading…")), id="children-status")

    def on_mount(self) -> None:
        self._show_filters()

    # --- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the page shown again (the first page at the start), and its count."""
        after, before, start = self._anchor
        self.total = None
        self._open(after=after, before=before, start=start)

    def _open(
        self, *, after: RosterKey | None = None, before: RosterKey | None = None, start: int = 0
    ) -> None:
        """Read a page of the current filter: the first, or the one beside a key.

        ``start`` is the page's position in the whole result, only for the status line.
        """
        self._anchor = (after, before, start)
        self._load(self.wanted, after, before, start)

    @work(thread=True, exclusive=True, group="children-load")
    def _load(
        self, wanted: RosterFilter, after: RosterKey | None, before: RosterKey | None, start: int
    ) -> None:
        worker = get_current_worker()
        service = self.service
        try:
            page = service.roster_page(wanted, after=after, before=before, size=self.page_size)
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self._show_page, wanted, page, start)
            total = service.roster_count(wanted)
        except GuanaiError as error:
            self.app.call_from_thread(self._say, error.label)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_total, wanted, total)

    def _show_page(self, wanted: RosterFilter, page: RosterPage, start: int) -> None:
        if wanted != self.wanted:
            return  # a stale search's result
        self.page = page
        self.start = start if page.has_previous else 0
        table = self.query_one("#children-table", DataTable)
        table.clear()
        for row in page.rows:
            table.add_row(*self._cells(row), key=str(row.child_id))
        self._show_status()

    @staticmethod
    def _cells(row: RosterRow) -> tuple[str, ...]:
        name = f"{row.name}★" if row.key_target else row.name
        talk = row.last_talk.isoformat() if row.last_talk else "—"
        complete = YES if row.complete else NO
        return (row.student_no, name, row.class_name, complete, row.teacher or "—", talk)

    def _show_total(self, wanted: RosterFilter, total: int) -> None:
        if wanted == self.wanted:
            self.total = total
            self._show_status()

    def _show_status(self) -> None:
        rows = len(self.page.rows) if self.page else 0
        shown = f"{self.start + 1}–{self.start + rows}" if rows else "0"
        total = "…" if self.total is None else str(self.total)
        self._say(Label(f"共 {total} 人 · 第 {shown} 条", f"{total} children · rows {shown}"))

    def _say(self, message: Label) -> None:
        self.query_one("#children-status", Static).update(str(message))

    def _show_filters(self) -> None:
        wanted = self.wanted
        parts = [
            Label(f"{wanted.grade}年级", f"grade {wanted.grade}") if wanted.grade else None,
            Label(self._class_name, self._class_name) if wanted.class_id else None,
            Label("建档未完整", "incomplete record") if wanted.incomplete else None,
            Label("未结对", "unpaired") if wanted.unpaired else None,
            Label("重点帮扶", "key targets") if wanted.key_target else None,
        ]
        shown = " · ".join(str(part) for part in parts if part) or str(Label("全部", "all"))
        keys = "i u k g c x"
        self.query_one("#children-filters", Static).update(
            str(Label(f"筛选：{shown}（{keys}）", f"Filter: {shown} ({keys})"))
        )

    def _refilter(self, **changes: object) -> None:
        self.wanted = replace(self.wanted, **changes)  # type: ignore[arg-type]
        self.total = None
        self._show_filters()
        self._open()

    # --- search -----------------------------------------------------------------------------

    @on(Input.Changed, "#children-search")
    def _typed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, lambda: self._refilter(search=event.value))

    @on(Input.Submitted, "#children-search")
    def action_focus_table(self) -> None:
        self.query_one("#children-table", DataTable).focus()

    # --- actions ----------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#children-search", Input).focus()

    def action_page(self, direction: int) -> None:
        page = self.page
        if page is None or not page.rows:
            return
        if direction > 0 and page.has_next:
            self._open(after=page.rows[-1].key, start=self.start + len(page.rows))
        elif direction < 0 and page.has_previous:
            self._open(before=page.rows[0].key, start=max(0, self.start - self.page_size))

    def action_toggle(self, name: str) -> None:
        self._refilter(**{name: not getattr(self.wanted, name)})

    def action_next_grade(self) -> None:
        self._refilter(grade=GRADES[(GRADES.index(self.wanted.grade) + 1) % len(GRADES)])

    def action_this_class(self) -> None:
        row = self.highlighted()
        if self.wanted.class_id is not None:
            self._refilter(class_id=None)
        elif row is not None:
            self._class_name = row.class_name
            self._refilter(class_id=row.class_id)

    def action_clear_filters(self) -> None:
        self.query_one("#children-search", Input).value = ""
        self.wanted = RosterFilter()
        self._refilter()

    @on(DataTable.RowSelected, "#children-table")
    def action_open_card(self) -> None:
        row = self.highlighted()
        if row is not None:
            self.app.push_screen(ChildCardScreen(self.service, row), self._refresh)

    def action_pair(self) -> None:
        row = self.highlighted()
        if row is not None:
            self.app.push_screen(PairingDialog(self.service, row), self._refresh)

    def action_import_roster(self) -> None:
        self.app.push_screen(ImportDialog(self.service), self._refresh)

    def _refresh(self, changed: bool | None) -> None:
        if changed:
            self.reload()

    def highlighted(self) -> RosterRow | None:
        table = self.query_one("#children-table", DataTable)
        if self.page is None or not self.page.rows or table.row_count == 0:
            return None
        return self.page.rows[min(table.cursor_row, len(self.page.rows) - 1)]
