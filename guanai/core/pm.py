"""The plugin manager: built-in plugins first, then the ``guanai`` entry-point group.

``GUANAI_LOAD_PLUGINS`` (comma-separated names) loads only those entry-point plugins;
``GUANAI_DISABLE_PLUGINS`` blocks plugins by name. Each of these is reported with the plugin's
name and contained, so the other plugins keep working: a plugin that fails to import, a hook
implementation whose arguments its hook does not have (the plugin is left out), one whose name
matches no hook (it would never be called), an invalid or duplicate activity type, channel or
panel, and a hook implementation that raises.

Hooks are called the pluggy way, ``pm.hook.<name>(...)``. Containment is put around each hook
implementation when its plugin is registered (:func:`_contained`): a plain implementation that
raises is reported and returns nothing, so the others still run; a wrapper
(``@hookimpl(wrapper=True)``, or the old-style ``hookwrapper=True``) runs around the others as
pluggy runs it, and if it raises before or after its ``yield`` (or does not yield) it is
reported and the call goes on as if it were not there. The registration hooks are collected
one implementation at a time, in load order, by :meth:`GuanaiPluginManager.collect`.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import logging
import os
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from operator import attrgetter
from pathlib import Path
from typing import Any, Generic, TypeVar

import pluggy

from guanai.core import hookspecs
from guanai.core.activity import validate_activity_type
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar, load_calendar
from guanai.core.config import LimitSettings
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
    "guanai.plugins.counselling",
    "guanai.plugins.school_events",
    "guanai.plugins.child_letters",
    "guanai.plugins.case_plans",
    "guanai.plugins.ical",
    "guanai.plugins.phone_links",
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


T = TypeVar("T")


@dataclass
class Registrations(Generic[T]):
    """What one registration hook collected: checked values by key, in the order registered,
    and the plugin that registered each."""

    items: dict[str, T] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)


class GuanaiPluginManager(pluggy.PluginManager):
    """pluggy's manager plus the problems met while loading, containment around every hook
    implementation, and the things the registration hooks collected."""

    def __init__(self) -> None:
        super().__init__("guanai")
        self.add_hookspecs(hookspecs)
        self.problems: list[PluginProblem] = []
        self.versions: dict[str, str] = {}
        self._registry: ActivityRegistry | None = None
        self._channels: dict[str, type[Channel]] | None = None

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """pluggy's ``register``, which also contains each of the plugin's hook implementations
        (see :func:`_contained`) and reports those that match no hook.

        Like pluggy's, it raises :class:`pluggy.PluginValidationError` for a hook
        implementation with arguments its hook does not have; :meth:`load` reports that instead.
        """
        self._registry = self._channels = None  # a new plugin may bring types or channels
        registered = super().register(plugin, name)
        if registered is not None:
            for caller in self.get_hookcallers(plugin) or []:
                for impl in caller.get_hookimpls():
                    if impl.plugin is plugin:
                        impl.function = _contained(impl, caller.name, self.report)  # type: ignore[misc]
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

    def collect(
        self,
        hook_name: str,
        validate: Callable[[object, str], T],
        key: Callable[[T], str],
        what: Label,
    ) -> Registrations[T]:
        """Call a registration hook's implementations one at a time, in load order (built-in
        plugins first), each with a ``register`` callback of its own.

        ``register(contribution)`` turns the contribution into a checked value with
        ``validate(contribution, plugin_name)`` (which raises :class:`PluginError` for an
        invalid one) and files it under ``key(value)``; ``what`` names such a value in the
        report of a duplicate (``Label("面板", "panel")``). An invalid contribution, or a key
        already taken (the first registered wins), is reported with the plugin's name and left
        out; ``register`` does not raise. An implementation that raises is reported and
        contained (see :func:`_contained`); what it registered before raising is kept.
        """
        found: Registrations[T] = Registrations()
        for impl in getattr(self.hook, hook_name).get_hookimpls():  # in load order

            def register(contribution: object, _plugin: str = impl.plugin_name) -> None:
                try:
                    value = validate(contribution, _plugin)
                    name = key(value)
                    if name in found.items:
                        owner = found.owners[name]
                        raise PluginError(
                            Label(
                                f"插件 {_plugin} 的{what.zh} {name} 重复：已由 {owner} 注册",
                                f"plugin {_plugin}: {what.en} {name} is already registered by "
                                f"{owner}",
                            )
                        )
                except PluginError as error:
                    self.report(_plugin, error)
                    return
                found.items[name] = value
                found.owners[name] = _plugin

            # pluggy's own call, for this one implementation: it passes only the arguments the
            # implementation declares, and runs a wrapper (around nothing) too.
            self._hookexec(hook_name, [impl], {"register": register}, False)
        return found

    def activity_registry(self) -> ActivityRegistry:
        """The activity types of ``register_activity_types``, collected by :meth:`collect`.

        Built once per set of registered plugins, so each problem is reported once; when two
        plugins register the same name the one loaded later is refused.
        """
        if self._registry is None:
            found = self.collect(
                "register_activity_types",
                validate_activity_type,
                key=attrgetter("name"),
                what=Label("活动类型", "activity type"),
            )
            self._registry = ActivityRegistry(found.items, found.owners)
        return self._registry

    def channel_types(self) -> dict[str, type[Channel]]:
        """The reminder channels of ``register_channels`` by name, collected by :meth:`collect`
        once per set of registered plugins; invalid and duplicate ones reported."""
        if self._channels is None:
            self._channels = self.collect(
                "register_channels",
                check_channel,
                key=attrgetter("name"),
                what=Label("提醒渠道", "reminder channel"),
            ).items
        return self._channels

    def term_calendar(
        self, name_or_path: str | Path, limits: LimitSettings | None = None
    ) -> TermCalendar:
        """A term calendar by shipped name or path, with the days plugins add through
        ``register_holidays`` (a plugin that raises there is reported); ``limits`` bound the
        file (see :func:`guanai.core.calendar.load_calendar`)."""

        def add_holidays(calendar: TermCalendar, register: Any) -> None:
            self.hook.register_holidays(calendar=calendar, register=register)

        return load_calendar(name_or_path, add_holidays, limits)


Report = Callable[[str, BaseException | str], None]


def _contained(impl: pluggy.HookImpl, hook_name: str, report: Report) -> Callable[..., Any]:
    """The implementation's function, made to report what it raises instead of raising.

    pluggy calls it as it would the function (positionally, with the arguments the function
    declares), so older, shorter signatures keep working. A plain implementation that raises
    is reported and returns None: the hook's other implementations still run. A wrapper is a
    generator again, of the same style: if the plugin's wrapper raises before its ``yield`` (or
    does not yield), it is reported and the others run without it; if it raises after, it is
    reported and the hook's result stands. Only :class:`Exception` is contained: a
    ``KeyboardInterrupt`` still stops the program.
    """
    function, plugin = impl.function, impl.plugin_name

    def fail(error: BaseException | str) -> None:
        report(plugin, error)

    def started(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Generator[Any, Any, Any] | None:
        """The plugin's wrapper, run up to its ``yield``; None (reported) if it got no further."""
        try:
            inner = function(*args, **kwargs)
            next(inner)
        except StopIteration:
            fail(_wrapper_fault(plugin, hook_name, "没有 yield", "did not yield"))
            return None
        except Exception as error:
            fail(error)
            return None
        return inner

    def yielded_again(inner: Generator[Any, Any, Any]) -> None:
        fail(_wrapper_fault(plugin, hook_name, "yield 了不止一次", "yielded more than once"))
        try:
            inner.close()
        except Exception as error:
            fail(error)

    if impl.wrapper:

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Generator[None, Any, Any]:
            inner = started(args, kwargs)
            if inner is None:
                return (yield)
            try:
                result = yield
            except BaseException as outer:  # not an implementation's: those are contained
                try:
                    inner.throw(outer)
                except StopIteration as stop:
                    return stop.value
                yielded_again(inner)
                raise
            try:
                inner.send(result)
            except StopIteration as stop:
                return stop.value
            except Exception as error:
                fail(error)
                return result
            yielded_again(inner)
            return result

        return wrapper

    if impl.hookwrapper:

        @functools.wraps(function)
        def old_style(*args: Any, **kwargs: Any) -> Generator[None, Any, None]:
            inner = started(args, kwargs)
            outcome = yield  # pluggy's Result of the other implementations
            if inner is None:
                return
            try:
                inner.send(outcome)
            except StopIteration:
                return
            except Exception as error:
                fail(error)
                return
            yielded_again(inner)

        return old_style

    @functools.wraps(function)
    def plain(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            fail(error)
            return None

    return plain


def _wrapper_fault(plugin: str, hook_name: str, zh: str, en: str) -> PluginError:
    return PluginError(
        Label(
            f"插件 {plugin} 的钩子包装 {hook_name} {zh}",
            f"plugin {plugin}: hook wrapper {hook_name} {en}",
        )
    )


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
