"""Import a roster (.xlsx or .csv) and show the import report on screen.

The import is ``service.import_roster``, as ``guanai import`` runs it: the whole file is
checked first, and nothing is written when a row has a problem (unless "valid
rows only" is ticked); new pairings hand their talks over to the new teachers. It runs in a
worker, in one transaction, with its progress on screen. The report lists counts, what was
passed over (columns it does not know, such as 序号), and each problem once, with the rows that
have it (``3–802（800 行）``), the column and what is wrong; a problem never repeats a private
cell's value.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, DataTable, Input, Static

from guanai import GuanaiError, Label
from guanai.plugins.dashboard.widgets import PlainStatic, PlainTable
from guanai.tui import Guanai, ImportReport, RosterRejected, described, localize_bindings

SHOWN_PROBLEMS = 200  # lines: one problem each, with every row that has it


class ImportDialog(ModalScreen[bool]):
    """Dismissed with True when the import wrote something."""

    DEFAULT_CSS = """
    ImportDialog { align: center middle; }
    ImportDialog #import { width: 78; height: 22; border: round $accent; padding: 0 1; }
    ImportDialog .title { text-style: bold; }
    ImportDialog #import-status { height: auto; }
    ImportDialog #import-report { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", described(Label("导入", "Import"))),
        Binding("escape", "close", described(Label("关闭", "Close"))),
    ]

    def __init__(self, service: Guanai) -> None:
        super().__init__()
        localize_bindings(self)
        self.service = service
        self.written = False

    def compose(self) -> ComposeResult:
        with Vertical(id="import"):
            yield PlainStatic(str(Label("导入名册", "Import a roster")), classes="title")
            yield Input(
                id="import-path",
                placeholder=str(Label("文件路径（.xlsx/.xls/.ods/.csv）", "file path")),
            )
            yield Input(id="import-school", placeholder=str(Label("学校代码", "school code")))
            yield Checkbox(
                str(Label("只导入无误的行", "Import only the rows without problems")),
                id="import-valid-only",
            )
            yield PlainStatic(
                str(Label("Enter/Ctrl+S 导入 · Esc 关闭", "Enter/Ctrl+S import · Esc close")),
                id="import-status",
            )
            yield PlainStatic(id="import-counts")
            table: DataTable[str] = PlainTable(id="import-report", cursor_type="row")
            headers = (Label("行", "Rows"), Label("列", "Column"), Label("问题", "Problem"))
            table.add_columns(*(str(header) for header in headers))
            yield table

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()
        self.default_school()

    @work(thread=True, group="import-dialog")
    def default_school(self) -> None:
        """Fill in the school when there is only one the user can import into."""
        try:
            code = self.service.import_school_code()
        except GuanaiError as error:
            self.app.call_from_thread(self._say, error.label)
            return
        if code is not None:
            self.app.call_from_thread(self._default_school, code)

    def _default_school(self, code: str) -> None:
        field = self.query_one("#import-school", Input)
        if not field.value:
            field.value = code

    def on_input_submitted(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        path = Path(self.query_one("#import-path", Input).value.strip()).expanduser()
        school = self.query_one("#import-school", Input).value.strip()
        valid_only = self.query_one("#import-valid-only", Checkbox).value
        self._say(Label(f"正在导入 {path.name}…", f"importing {path.name}…"))
        self._import(path, school, valid_only)

    @work(thread=True, exclusive=True, group="import-run")
    def _import(self, path: Path, school_code: str, valid_only: bool) -> None:
        def progress(phase: Label, done: int, total: int | None) -> None:
            of = f"/{total}" if total else ""
            self.app.call_from_thread(
                self._say, Label(f"{phase.zh}：{done}{of} 行", f"{phase.en}: {done}{of} rows")
            )

        try:
            report = self.service.import_roster(
                path, school_code=school_code or None, valid_only=valid_only, progress=progress
            )
        except RosterRejected as rejected:
            self.app.call_from_thread(self._report, rejected.report, rejected.label)
        except GuanaiError as error:
            self.app.call_from_thread(self._say, error.label)
        else:
            done = Label(f"{report.file}：已导入", f"{report.file}: imported")
            self.app.call_from_thread(self._report, report, done)

    def _say(self, message: Label) -> None:
        self.query_one("#import-status", Static).update(str(message))

    def _report(self, report: ImportReport, outcome: Label) -> None:
        """The counts, then each problem once: its rows, column (as headed in the file), what
        is wrong."""
        self.written = self.written or report.written
        said = [outcome, *report.warnings]  # and what was passed over, e.g. 序号 ignored
        self._say(Label("\n".join(s.zh for s in said), "\n".join(s.en for s in said)))
        counts = (
            (Label("行数", "rows"), report.rows),
            (Label("新建", "created"), report.created),
            (Label("更新", "updated"), report.updated),
            (Label("未变", "unchanged"), report.unchanged),
            (Label("有误的行", "with problems"), report.rejected),
            (Label("改动字段", "fields changed"), report.changes),
        )
        self.query_one("#import-counts", Static).update(
            " · ".join(f"{label} {count}" for label, count in counts)
        )
        table = self.query_one("#import-report", DataTable)
        table.clear()
        groups = report.problem_groups
        for group in groups[:SHOWN_PROBLEMS]:
            table.add_row(str(group.where), group.column, str(group.reason))
        more = len(groups) - SHOWN_PROBLEMS
        if more > 0:
            table.add_row("…", "", str(Label(f"另有 {more} 个问题", f"{more} more problems")))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(self.written)
