"""Plugins: what is loaded, each plugin's activity types, and any plugin that failed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from guanai.core.i18n import Label
from guanai.tui import Panel


class PluginsPanel(Panel):
    panel_id = "plugins"
    title = Label("插件", "Plugins")
    order = 900

    def compose(self) -> ComposeResult:
        registry = self.dashboard.registry
        lines = [str(Label("已安装的活动类型：", "Installed activity types:"))]
        lines += [f"  {registry.get(name).title}" for name in registry]
        yield Static("\n".join(lines), id="activity-types")
