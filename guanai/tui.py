"""The coordinator's dashboard (Textual): a thin shell whose panels all come from plugins.

The app collects :class:`Panel` classes through the ``register_panels`` hook (the built-in
panels live in ``guanai.plugins.dashboard`` and register exactly like a third-party one) and
shows them as tabs. Panels never hold a database session: each user action opens one through
:meth:`Dashboard.transaction` (or :meth:`Dashboard.read`), in a worker thread, so nothing
blocks the interface while the database works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingsMap, BindingType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, TabPane

from guanai.core import db
from guanai.core.access import Viewer, viewer_for
from guanai.core.calendar import TermCalendar
from guanai.core.config import Settings
from guanai.core.errors import PluginError
from guanai.core.i18n import Label, set_language
from guanai.core.models import School
from guanai.core.pm import ActivityRegistry, GuanaiPluginManager

_SEPARATOR = "\t"


def described(label: Label) -> str:
    """A binding description in both languages; shown in the language of the moment."""
    return f"{label.zh}{_SEPARATOR}{label.en}"


def localize_bindings(node: DOMNode) -> None:
    """Render ``described`` binding descriptions of ``node`` in the current language.

    The bilingual descriptions are read from the class, so this may run again after the
    language changes; bindings added at run time (Textual's own) are kept as they are.
    """
    index = 1 if str(Label("zh", "en")) == "en" else 0
    declared = node._merged_bindings.key_to_bindings if node._merged_bindings else {}
    node._bindings = BindingsMap.from_keys(
        {
            key: [
                replace(b, description=b.description.split(_SEPARATOR)[index])
                if _SEPARATOR in b.description
                else b
                for b in declared.get(key, found)
            ]
            for key, found in node._bindings.key_to_bindings.items()
        }
    )


@dataclass
class Dashboard:
    """What every panel may use: settings, plugins, the database and the clock.

    ``clock`` is injectable so that tests and snapshots run at a frozen time.
    """

    settings: Settings
    pm: GuanaiPluginManager
    engine: Engine
    actor: str
    clock: Callable[[], datetime] = field(
        default=lambda: datetime.now(ZoneInfo("Asia/Shanghai")), repr=False
    )
    school_code: str | None = None
    """The school shown (``guanai tui --school``) when the user's account is not bound to one;
    None: the first school."""

    @property
    def registry(self) -> ActivityRegistry:
        return self.pm.activity_registry()

    def now(self) -> datetime:
        return self.clock()

    def calendar(self, name: str | None = None) -> TermCalendar:
        """A term calendar (default: the configured term), with the days plugins add."""
        return self.pm.term_calendar(name or self.settings.term)

    def viewer(self, session: Session) -> Viewer:
        """The acting user, narrowed to the school chosen with ``school_code`` if their
        account is not bound to one: what the panels show and count."""
        viewer = viewer_for(session, self.actor)
        if viewer.school_id is None and self.school_code is not None:
            school = session.scalar(select(School.id).where(School.code == self.school_code))
            if school is not None:
                return replace(viewer, school_id=school)
        return viewer

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action's unit of work: all of it is written, or none."""
        with db.transaction(self.engine) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only session (rolled back at the end)."""
        with db.session_factory(self.engine)() as session:
            try:
                yield session
            finally:
                session.rollback()


class Panel(Widget):
    """One tab of the dashboard, contributed by a plugin through ``register_panels``.

    Subclasses set ``panel_id`` (unique, ``[a-z][a-z0-9-]*``), ``title`` and ``order``
    (smaller comes first) and compose their widgets as any Textual widget does. Their
    ``BINDINGS`` (descriptions made with :func:`described`) appear in the footer, the help
    screen and the command palette. ``reload`` is called each time the panel is shown.
    """

    DEFAULT_CSS = "Panel { height: 1fr; }"
    can_focus = True  # so that its keys work when it has nothing else to focus
    panel_id: ClassVar[str] = ""
    title: ClassVar[Label] = Label("", "")
    order: ClassVar[int] = 100

    def __init__(self, dashboard: Dashboard) -> None:
        super().__init__(id=f"panel-{self.panel_id}")
        self.dashboard = dashboard
        localize_bindings(self)

    def reload(self) -> None:
        """Fetch the panel's data again (optional; the default does nothing)."""


def collect_panels(pm: GuanaiPluginManager) -> list[type[Panel]]:
    """Every registered panel class, in order; an invalid one is reported and left out, and
    of two with one ``panel_id`` the first registered (built-in before installed) wins."""
    panels: dict[str, type[Panel]] = {}
    for impl in pm.hook.register_panels.get_hookimpls():  # in load order

        def register(panel: object, _plugin: str = impl.plugin_name) -> None:
            if not (isinstance(panel, type) and issubclass(panel, Panel) and panel.panel_id):
                reason = Label(
                    f"插件 {_plugin} 注册的面板无效：{panel!r}",
                    f"plugin {_plugin} registered an invalid panel: {panel!r}",
                )
            elif panel.panel_id in panels:
                reason = Label(
                    f"插件 {_plugin} 的面板 {panel.panel_id} 重复",
                    f"plugin {_plugin}: panel {panel.panel_id} is already registered",
                )
            else:
                panels[panel.panel_id] = panel
                return
            pm.report(_plugin, PluginError(reason))

        try:
            impl.function(register=register)
        except Exception as error:
            pm.report(impl.plugin_name, error)
    return sorted(panels.values(), key=lambda p: (p.order, p.panel_id))


_SWITCH = [Binding(str(n), f"switch({n})", show=False) for n in range(1, 10)]


class GuanaiApp(App[None]):
    """The dashboard shell: a header, one tab per panel, a footer with the key bindings."""

    TITLE = "关爱"
    CSS = "TabPane { padding: 0; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", described(Label("退出", "Quit"))),
        Binding("question_mark,f1", "help", described(Label("帮助", "Help"))),
        Binding("r", "reload", described(Label("刷新", "Refresh"))),
        Binding("l", "language", described(Label("切换到英文", "Switch to Chinese")), show=False),
        Binding(
            "ctrl+p",
            "command_palette",
            described(Label("命令面板", "Palette")),
            show=False,
            priority=True,
        ),
        *_SWITCH,
    ]

    def __init__(self, dashboard: Dashboard) -> None:
        super().__init__()
        self.dashboard = dashboard
        self.panels = collect_panels(dashboard.pm)
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        self.sub_title = str(Label("关爱协调员仪表板", "Care coordinator's dashboard"))
        yield Header()
        with TabbedContent():
            for n, panel in enumerate(self.panels, start=1):
                with TabPane(f"{n} {panel.title}", id=f"tab-{panel.panel_id}"):
                    yield panel(self.dashboard)
        yield Footer()

    @property
    def current_panel(self) -> Panel | None:
        active = self.query_one(TabbedContent).active
        found = self.query(f"#panel-{active.removeprefix('tab-')}").first(Panel) if active else None
        return found

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        panel = self.current_panel
        if panel is not None:
            panel.reload()
            focusable = [w for w in panel.query("*") if w.focusable]
            (focusable[0] if focusable else panel).focus()

    def action_switch(self, number: int) -> None:
        if 1 <= number <= len(self.panels):
            self.query_one(TabbedContent).active = f"tab-{self.panels[number - 1].panel_id}"

    def action_reload(self) -> None:
        if self.current_panel is not None:
            self.current_panel.reload()

    def action_help(self) -> None:
        from guanai.plugins.dashboard.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self, self._shown(self.screen)))

    def _shown(self, screen: Screen[Any]) -> Panel | Screen[Any] | None:
        """What the keys act on: a screen opened over the panels, else the current panel."""
        return screen if screen is not self.screen_stack[0] else self.current_panel

    async def action_language(self) -> None:
        set_language("zh" if str(Label("zh", "en")) == "en" else "en")
        localize_bindings(self)
        await self.recompose()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette (ctrl+p): go to any panel, run the current panel's actions."""
        go = Label("切换到：", "Go to: ")
        for n, panel in enumerate(self.panels, start=1):
            yield SystemCommand(f"{go}{panel.title}", f"{n}", partial(self.action_switch, n))
        current = self._shown(screen)
        title = current.title if isinstance(current, Panel) else Label("当前窗口", "This window")
        for bindings in [] if current is None else current._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.description:
                    yield SystemCommand(
                        f"{title}：{binding.description}",
                        binding.key_display or binding.key,
                        partial(self.run_action, binding.action, current),
                    )
        yield from super().get_system_commands(screen)
