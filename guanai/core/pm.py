"""The plugin manager: built-in plugins first, then the ``guanai`` entry-point group.

``GUANAI_LOAD_PLUGINS`` (comma-separated names) loads only those entry-point plugins;
``GUANAI_DISABLE_PLUGINS`` blocks plugins by name. A plugin that fails to import, registers
an invalid activity type or raises in an event hook is reported by name and contained.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from guanai.core import hookspecs
from guanai.core.activity import ActivityType, validate_activity_type
from guanai.core.errors import PluginError
from guanai.core.i18n import Label
from guanai.core.reminders.channels import Channel, check_channel

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "guanai"

BUILTIN_PLUGINS: tuple[str, ...] = (
    "guanai.plugins.welcome_back",
    "guanai.plugins.talks",
    "guanai.plugins.family_phone",
    "guanai.plugins.meetings",
    "guanai.plugins.care_week",
    "guanai.plugins.home_visit",
    "guanai.plugins.safety",
    "guanai.plugins.exam_letters",
    "guanai.plugins.new_year_party",
    "guanai.plugins.ical",
    "guanai.plugins.dashboard",
    "guanai.plugins.channels.inbox",
    "guanai.plugins.channels.smtp",
    "guanai.plugins.channels.webhook",
)


@dataclass(frozen=True)
class PluginProblem:
    """A plugin that could not load or whose contribution was refused."""

    plugin: str
    reason: str


@dataclass
class ActivityRegistry:
    """The activity types registered by all plugins, by name."""

    types: dict[str, type[ActivityType]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)

    def add(self, activity_type: object, plugin: str) -> None:
        checked = validate_activity_type(activity_type, plugin)
        if checked.name in self.types:
            raise PluginError(
                Label(
                    f"插件 {plugin} 的活动类型 {checked.name} 已由 {self.owners[checked.name]} 注册",
                    f"plugin {plugin}: activity type {checked.name} is already registered by "
                    f"{self.owners[checked.name]}",
                )
            )
        self.types[checked.name] = checked
        self.owners[checked.name] = plugin

    def get(self, name: str) -> ActivityType:
        return self.types[name]()

    def __contains__(self, name: object) -> bool:
        return name in self.types

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.types))


class GuanaiPluginManager(pluggy.PluginManager):
    """pluggy's manager plus the problems met while loading and the activity registry."""

    def __init__(self) -> None:
        super().__init__("guanai")
        self.add_hookspecs(hookspecs)
        self.problems: list[PluginProblem] = []
        self.versions: dict[str, str] = {}
        self._registry: ActivityRegistry | None = None
        self._channels: dict[str, type[Channel]] | None = None

    def register(self, plugin: object, name: str | None = None) -> str | None:
        self._registry = self._channels = None  # a new plugin may bring types or channels
        return super().register(plugin, name)

    def unregister(self, plugin: object | None = None, name: str | None = None) -> object:
        self._registry = self._channels = None
        return super().unregister(plugin, name)

    def version_of(self, plugin_name: str) -> str:
        """An installed plugin's distribution version; built-in plugins carry guanai's."""
        return self.versions.get(plugin_name) or metadata.version("guanai")

    def report(self, plugin: str, error: BaseException | str) -> None:
        reason = str(error) if isinstance(error, (str, PluginError)) else repr(error)
        self.problems.append(PluginProblem(plugin, reason))
        log.error("plugin %s: %s", plugin, reason)

    def activity_registry(self) -> ActivityRegistry:
        """Collect activity types, one plugin at a time so one bad plugin spoils nothing else.

        Built once per set of registered plugins, so each problem is reported once.
        """
        if self._registry is not None:
            return self._registry
        registry = self._registry = ActivityRegistry()
        for impl in reversed(self.hook.register_activity_types.get_hookimpls()):
            name = impl.plugin_name

            def register(activity_type: object, _plugin: str = name) -> None:
                try:
                    registry.add(activity_type, _plugin)
                except PluginError as error:
                    self.report(_plugin, error)

            try:
                impl.function(register=register)
            except Exception as error:
                self.report(name, error)
        return registry

    def channel_types(self) -> dict[str, type[Channel]]:
        """The reminder channels registered by all plugins, by name; invalid ones reported."""
        if self._channels is not None:
            return self._channels
        channels: dict[str, type[Channel]] = {}
        for impl in reversed(self.hook.register_channels.get_hookimpls()):

            def register(channel: object, _plugin: str = impl.plugin_name) -> None:
                try:
                    checked = check_channel(channel, _plugin)
                    if checked.name in channels:
                        raise PluginError(
                            Label(
                                f"插件 {_plugin} 的提醒渠道 {checked.name} 重复注册",
                                f"plugin {_plugin}: reminder channel {checked.name} is "
                                "already registered",
                            )
                        )
                    channels[checked.name] = checked
                except PluginError as error:
                    self.report(_plugin, error)

            try:
                impl.function(register=register)
            except Exception as error:
                self.report(impl.plugin_name, error)
        self._channels = channels
        return channels

    def announce(self, hook_name: str, **kwargs: Any) -> None:
        """Call an event hook's implementations one by one, containing any that raises."""
        hook = getattr(self.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            try:
                impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
            except Exception as error:
                self.report(impl.plugin_name, error)


def _enabled(name: str, only: set[str] | None, blocked: set[str]) -> bool:
    return name not in blocked and (only is None or name in only)


def _names(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    if value is None:
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def build_plugin_manager(load_entry_points: bool = True) -> GuanaiPluginManager:
    """The manager with built-in plugins and (unless told not to) installed ones."""
    pm = GuanaiPluginManager()
    only = _names("GUANAI_LOAD_PLUGINS")
    blocked = _names("GUANAI_DISABLE_PLUGINS") or set()
    for module_name in BUILTIN_PLUGINS:
        if _enabled(module_name, None, blocked):
            pm.register(importlib.import_module(module_name), name=module_name)
    if load_entry_points:
        for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if not _enabled(entry_point.name, only, blocked):
                continue
            try:
                plugin = entry_point.load()
                pm.register(plugin, name=entry_point.name)
            except Exception as error:
                pm.report(entry_point.name, error)
                continue
            if entry_point.dist is not None:
                pm.versions[entry_point.name] = entry_point.dist.version
    return pm
