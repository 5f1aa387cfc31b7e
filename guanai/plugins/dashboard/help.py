"""The help screen (? or F1): every key of the app and of the panel on show."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable

from guanai import Label
from guanai.plugins.dashboard.widgets import PlainStatic, PlainTable
from guanai.tui import Panel, declared_bindings, described

EXTRA = (
    ("1…9", Label("切换到第 n 个面板", "Show panel n")),
    ("tab", Label("在表格之间移动", "Move between tables")),
)


def key_rows(app: App[object], bindings: dict[str, list[Binding]]) -> list[tuple[str, str]]:
    """(keys, description) of every described binding but Textual's own, one row per action."""
    rows: dict[str, tuple[str, str]] = {}
    for found in bindings.values():
        for binding in found:
            if not binding.description or binding.system:
                continue
            key = app.get_key_display(binding)
            if binding.action in rows:
                shown, _ = rows[binding.action]  # the later binding (ours) describes it
                rows[binding.action] = (f"{shown} {key}", binding.description)
            else:
                rows[binding.action] = (key, binding.description)
    return list(rows.values())


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 60; height: auto; max-height: 22; border: thick $accent; background: $surface;
    }
    HelpScreen DataTable { height: auto; max-height: 18; }
    HelpScreen .title { text-style: bold; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", described(Label("关闭", "Close"))),
    ]

    def __init__(self, app: App[object], shown: Panel | Screen[object] | None) -> None:
        """``shown``: the panel on show, or the screen (a child's card, a form) open over it."""
        super().__init__()
        self.rows = key_rows(app, declared_bindings(type(app))) + [
            (k, str(text)) for k, text in EXTRA
        ]
        if isinstance(shown, Panel):
            self.panel_title = shown.title
        else:
            self.panel_title = Label("当前窗口", "This window")
        self.panel_rows = [] if shown is None else key_rows(app, declared_bindings(type(shown)))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield PlainStatic(str(Label("按键（Esc 关闭）", "Keys (Esc closes)")), classes="title")
            table: DataTable[str] = PlainTable(id="help-keys", cursor_type="row")
            table.add_columns(str(Label("键", "Key")), str(Label("作用", "What it does")))
            for key, text in self.rows:
                table.add_row(key, text)
            if self.panel_rows:
                table.add_row("", f"— {self.panel_title} —")
            for key, text in self.panel_rows:
                table.add_row(key, text)
            yield table

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
