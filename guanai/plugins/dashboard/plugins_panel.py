"""Plugins: what is loaded, with version, activity types and hooks, and any plugin that failed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable

from guanai import Label
from guanai.plugins.dashboard.widgets import PlainStatic, PlainTable
from guanai.tui import Panel

BUILTIN_PREFIX = "guanai.plugins."


class PluginsPanel(Panel):
    """Read from the plugin manager only, so it needs no database and no worker."""

    panel_id = "plugins"
    title = Label("插件", "Plugins")
    order = 900
    DEFAULT_CSS = """
    PluginsPanel #plugins { height: 1fr; }
    PluginsPanel #plugin-problems { height: auto; max-height: 6; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        pm, registry = self.service.pm, self.service.registry
        table: DataTable[str] = PlainTable(id="plugins", cursor_type="row", zebra_stripes=True)
        table.add_columns(
            *(
                str(label)
                for label in (
                    Label("插件", "Plugin"),
                    Label("版本", "Version"),
                    Label("活动类型", "Activity types"),
                    Label("钩子", "Hooks"),
                )
            )
        )
        for name, plugin in sorted(pm.list_name_plugin()):
            hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
            types = [
                str(registry.get(t).title) for t, owner in registry.owners.items() if owner == name
            ]
            table.add_row(
                name.removeprefix(BUILTIN_PREFIX),
                pm.version_of(name),
                "、".join(types) or "-",
                ", ".join(h.removeprefix("register_") for h in hooks),
            )
        yield table
        problems = [f"⚠ {p.plugin}: {p.reason}" for p in pm.problems]
        yield PlainStatic(
            "\n".join(problems) or str(Label("没有插件出错。", "No plugin failed.")),
            id="plugin-problems",
        )
