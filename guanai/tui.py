"""The coordinator's dashboard (Textual). For now a thin shell that shows the plugins loaded;
its screens and panels will come from plugins through a hook (see the dashboard issue).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Footer, Header, Static

from guanai.core.i18n import Label
from guanai.core.pm import GuanaiPluginManager


class GuanaiApp(App[None]):
    """The dashboard shell: a header, the loaded activity types, a footer with key bindings."""

    TITLE = "关爱"
    BINDINGS: ClassVar[list[BindingType]] = [("q", "quit", "退出 Quit")]

    def __init__(self, pm: GuanaiPluginManager) -> None:
        super().__init__()
        self.pm = pm

    def compose(self) -> ComposeResult:
        registry = self.pm.activity_registry()
        lines = [str(Label("已安装的活动类型：", "Installed activity types:"))]
        lines += [f"  {registry.get(name).title}" for name in registry]
        yield Header()
        yield Static("\n".join(lines), id="activity-types")
        yield Footer()
