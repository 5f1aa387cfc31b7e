"""The coordinator's dashboard (Textual): a thin shell whose panels all come from plugins.

The app collects :class:`Panel` classes through the ``register_panels`` hook (the built-in
panels live in ``guanai.plugins.dashboard`` and register exactly like a third-party one) and
shows them as tabs. Panels never hold a database session: each user action opens one through
:meth:`Dashboard.transaction` (or :meth:`Dashboard.read`), in a worker thread, so nothing
blocks the interface while the database works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, TabPane

from guanai.core import db
from guanai.core.config import Settings
from guanai.core.errors import PluginError
from guanai.core.i18n import Label
from guanai.core.pm import ActivityRegistry, GuanaiPluginManager


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

    @property
    def registry(self) -> ActivityRegistry:
        return self.pm.activity_registry()

    def now(self) -> datetime:
        return self.clock()

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
    (smaller comes first) and compose their widgets as any Textual widget does.
    """

    panel_id: ClassVar[str] = ""
    title: ClassVar[Label] = Label("", "")
    order: ClassVar[int] = 100

    def __init__(self, dashboard: Dashboard) -> None:
        super().__init__(id=f"panel-{self.panel_id}")
        self.dashboard = dashboard


def collect_panels(pm: GuanaiPluginManager) -> list[type[Panel]]:
    """Every registered panel class, in order; an invalid one is reported and left out."""
    panels: dict[str, type[Panel]] = {}
    for impl in reversed(pm.hook.register_panels.get_hookimpls()):

        def register(panel: object, _plugin: str = impl.plugin_name) -> None:
            if not (isinstance(panel, type) and issubclass(panel, Panel) and panel.panel_id):
                pm.report(
                    _plugin,
                    PluginError(
                        Label(
                            f"插件 {_plugin} 注册的面板无效：{panel!r}",
                            f"plugin {_plugin} registered an invalid panel: {panel!r}",
                        )
                    ),
                )
            elif panel.panel_id in panels:
                pm.report(
                    _plugin,
                    PluginError(
                        Label(
                            f"插件 {_plugin} 的面板 {panel.panel_id} 重复",
                            f"plugin {_plugin}: panel {panel.panel_id} is already registered",
                        )
                    ),
                )
            else:
                panels[panel.panel_id] = panel

        try:
            impl.function(register=register)
        except Exception as error:
            pm.report(impl.plugin_name, error)
    return sorted(panels.values(), key=lambda p: (p.order, p.panel_id))


class GuanaiApp(App[None]):
    """The dashboard shell: a header, one tab per panel, a footer with the key bindings."""

    TITLE = "关爱"
    BINDINGS: ClassVar[list[BindingType]] = [("q", "quit", "退出 Quit")]

    def __init__(self, dashboard: Dashboard) -> None:
        super().__init__()
        self.dashboard = dashboard
        self.panels = collect_panels(dashboard.pm)

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent():
            for panel in self.panels:
                with TabPane(str(panel.title), id=f"tab-{panel.panel_id}"):
                    yield panel(self.dashboard)
        yield Footer()
