"""The plugin manager: built-in plugins first, then the ``guanai`` entry-point group.

``GUANAI_LOAD_PLUGINS`` (comma-separated names) loads only those entry-point plugins;
``GUANAI_DISABLE_PLUGINS`` blocks plugins by name. Each of these is reported with the plugin's
name and contained, so the other plugins keep working: a plugin that fails to import, a hook
implementation whose arguments its hook does not have (the plugin is left out), one whose name
matches no hook (it would never be called), an invalid or duplicate activity type or channel,
and a hook implementation that raises.
"""

from __future__ import annotations

import difflib
import importlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import pluggy

from guanai.core import hookspecs
from guanai.core.activity import ActivityType, validate_activity_type
from guanai.core.calendar import TermCalendar, load_calendar
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
        """pluggy's ``register``, which also reports hook implementations that match no hook.

        Like pluggy's, it raises :class:`pluggy.PluginValidationError` for a hook
        implementation with arguments its hook does not have; :meth:`load` reports that instead.
        """
        self._registry = self._channels = None  # a new plugin may bring types or channels
        registered = super().register(plugin, name)
        if registered is not None:
            self._report_unknown_hooks(plugin, registered)
        return registered

    def load(self, plugin: object, name: str) -> bool:
        """Register ``plugin`` as ``name``; report, rather than raise, why it cannot be.

        A plugin that pluggy refuses (a hook implementation taking an argument its hook does
        not pass, a name already taken) is left out entirely, so that none of its hooks run
        half-registered; the others keep working. Returns whether the plugin was registered.
        """
        try:
            self.register(plugin, name=name)
        except pluggy.PluginValidationError as error:
            if self.get_plugin(name) is plugin:
                self.unregister(name=name)  # pluggy stops half-way through the plugin
            self.report(name, _refused(name, error, self.hook))
            return False
        except ValueError as error:  # the name or the plugin object is already registered
            self.report(
                name,
                PluginError(
                    Label(f"插件 {name} 未加载：{error}", f"plugin {name} was not loaded: {error}")
                ),
            )
            return False
        return True

    def hook_names(self) -> list[str]:
        """The names of guanai's hooks (those with a spec), sorted."""
        return sorted(
            name
            for name, caller in vars(self.hook).items()
            if isinstance(caller, pluggy.HookCaller) and caller.spec is not None
        )

    def _report_unknown_hooks(self, plugin: object, name: str) -> None:
        known = self.hook_names()
        for caller in self.get_hookcallers(plugin) or []:
            if caller.spec is not None:
                continue
            impls = [impl for impl in caller.get_hookimpls() if impl.plugin is plugin]
            if impls and all(impl.optionalhook for impl in impls):
                continue
            guess = difflib.get_close_matches(caller.name, known, n=1)
            self.report(
                name,
                PluginError(
                    Label(
                        f"插件 {name} 的钩子实现 {caller.name} 不对应任何钩子，不会被调用"
                        + (f"（是否想写 {guess[0]}？）" if guess else ""),
                        f"plugin {name}: hook implementation {caller.name} matches no guanai "
                        "hook and is never called"
                        + (f" (did you mean {guess[0]}?)" if guess else ""),
                    )
                ),
            )

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

        Built once per set of registered plugins, so each problem is reported once. Plugins
        register in the order they were loaded (built-in plugins first), so when two plugins
        register the same name the one loaded later is refused.
        """
        if self._registry is not None:
            return self._registry
        registry = self._registry = ActivityRegistry()
        for impl in self.hook.register_activity_types.get_hookimpls():  # in load order
            name = impl.plugin_name

            def register(activity_type: object, _plugin: str = name) -> None:
                try:
                    registry.add(activity_type, _plugin)
                except PluginError as error:
                    self.report(_plugin, error)

            try:
                _call(impl, register=register)
            except Exception as error:
                self.report(name, error)
        return registry

    def channel_types(self) -> dict[str, type[Channel]]:
        """The reminder channels registered by all plugins, by name; invalid ones reported."""
        if self._channels is not None:
            return self._channels
        channels: dict[str, type[Channel]] = {}
        for impl in self.hook.register_channels.get_hookimpls():  # in load order

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
                _call(impl, register=register)
            except Exception as error:
                self.report(impl.plugin_name, error)
        self._channels = channels
        return channels

    def term_calendar(self, name_or_path: str | Path) -> TermCalendar:
        """A term calendar by shipped name or path, with the days plugins add through
        ``register_holidays`` (a plugin that raises there is reported)."""

        def add_holidays(calendar: TermCalendar, register: Any) -> None:
            self.announce("register_holidays", calendar=calendar, register=register)

        return load_calendar(name_or_path, add_holidays)

    def announce(self, hook_name: str, **kwargs: Any) -> None:
        """Call an event hook's implementations one by one, containing any that raises."""
        hook = getattr(self.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            try:
                _call(impl, **kwargs)
            except Exception as error:
                self.report(impl.plugin_name, error)


def _call(impl: pluggy.HookImpl, **kwargs: Any) -> object:
    """Call one implementation with the arguments it accepts: it may take fewer than its spec,
    and a newer guanai may pass arguments an older plugin does not know."""
    return impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})


_REFUSED_ARGUMENTS = re.compile(r"for hook '(\w+)'.*Argument\(s\) \{(.*)\} are declared", re.S)


def _refused(
    name: str, error: pluggy.PluginValidationError, hooks: pluggy.HookRelay
) -> PluginError:
    """pluggy's refusal of a hook implementation, said in terms of guanai's hooks."""
    found = _REFUSED_ARGUMENTS.search(str(error))
    if found is None:
        detail = " ".join(str(error).split())
        return PluginError(
            Label(f"插件 {name} 未加载：{detail}", f"plugin {name} was not loaded: {detail}")
        )
    hook, arguments = found.group(1), ", ".join(sorted(found.group(2).replace("'", "").split(", ")))
    spec = getattr(hooks, hook).spec
    passed = ", ".join(spec.argnames) if spec is not None else "-"
    return PluginError(
        Label(
            f"插件 {name} 未加载：钩子实现 {hook} 的参数 {arguments} 不是该钩子的参数"
            f"（该钩子传入：{passed}）",
            f"plugin {name} was not loaded: its hook implementation {hook} takes {arguments}, "
            f"which the hook does not pass (it passes: {passed})",
        )
    )


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
            _import_and_load(pm, module_name, partial(importlib.import_module, module_name))
    if load_entry_points:
        for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if not _enabled(entry_point.name, only, blocked):
                continue
            if entry_point.dist is not None:
                pm.versions[entry_point.name] = entry_point.dist.version
            _import_and_load(pm, entry_point.name, entry_point.load, entry_point.value)
    return pm


def _import_and_load(
    pm: GuanaiPluginManager, name: str, load: Callable[[], object], target: str | None = None
) -> None:
    try:
        plugin = load()
    except Exception as error:
        what = f"{name} ({target})" if target else name
        reason = f"{type(error).__name__}: {error}"
        pm.report(
            name,
            PluginError(
                Label(
                    f"插件 {what} 无法导入：{reason}",
                    f"plugin {what} could not be imported: {reason}",
                )
            ),
        )
        return
    pm.load(plugin, name)
