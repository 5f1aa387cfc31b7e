"""The coordinator's dashboard (Textual): a thin shell over the application service whose
panels all come from plugins.

``GuanaiApp(service)`` takes a :class:`guanai.service.Guanai` and refuses to open for an
account that may not use the dashboard (coordinators only). The app collects :class:`Panel`
classes through the ``register_panels`` hook (the built-in panels live in
``guanai.plugins.dashboard`` and register exactly like a third-party one) and shows them as
tabs. A panel reads through the service's panel reads (``service.today_view()``, ...) and acts
through its actions (``service.complete(...)``, ...), in a worker thread so that nothing blocks
the interface; it never opens a session, checks access or announces to plugins itself.

This module is the public surface for panel authors: the :class:`Panel` base, :func:`described`
and the plain dataclasses the panel reads return are importable from here (a plugin imports
``guanai`` and ``guanai.tui``, never ``guanai.core``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache, partial
from typing import Any, ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingsMap, BindingType
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, TabPane

from guanai.core.activity import Field, FieldKind
from guanai.core.case_plans import KIND_LABELS as CASE_PLAN_KINDS
from guanai.core.case_plans import STATUS_LABELS as CASE_PLAN_STATUS
from guanai.core.case_plans import TEXTS as CASE_PLAN_TEXTS
from guanai.core.case_plans import (
    ArchiveEntry,
    CasePlanRow,
    CasePlanView,
    PlanChanges,
    labelled_texts,
    record_labels,
)
from guanai.core.child_card import ChildCard
from guanai.core.dashboard_data import Scope
from guanai.core.dashboard_data.activity_tasks import WINDOW, ActivityTask, TaskKey, TaskWindow
from guanai.core.dashboard_data.child_tasks import STATES as TASK_STATES
from guanai.core.dashboard_data.child_tasks import ChildTask
from guanai.core.dashboard_data.children import (
    PAGE_SIZE,
    TALK,
    PairingChoices,
    RosterFilter,
    RosterKey,
    RosterPage,
    RosterRow,
)
from guanai.core.dashboard_data.reminders import KIND_LABELS, STATE_LABELS, OutboxPage
from guanai.core.dashboard_data.reminders import STATES as OUTBOX_STATES
from guanai.core.dashboard_data.teachers import Bar, TeacherLoad
from guanai.core.dashboard_data.term import DayKind, Week, Workflow
from guanai.core.dashboard_data.today import Event, Grouping, Totals, Workload
from guanai.core.errors import GuanaiError, PluginError, RecordError
from guanai.core.feeds.links import qr_text
from guanai.core.i18n import Label, set_language
from guanai.core.pairing import PairingLoad
from guanai.core.pairing_change import PairingChange
from guanai.core.planner import PlanSummary
from guanai.core.pm import GuanaiPluginManager
from guanai.core.reminders.outbox import OutboxRow
from guanai.core.roster.importer import ImportReport, RosterRejected
from guanai.core.schools import SCHOOL_TIMEZONE
from guanai.service import Guanai
from guanai.service.feed_actions import IssuedFeedLink
from guanai.service.panel_reads import (
    ChildView,
    MonthTalks,
    RecordFormSpec,
    RemindersView,
    TeachersView,
    TermView,
    TodayView,
)

__all__ = [
    "CASE_PLAN_KINDS",
    "CASE_PLAN_STATUS",
    "CASE_PLAN_TEXTS",
    "KIND_LABELS",
    "OUTBOX_STATES",
    "PAGE_SIZE",
    "SCHOOL_TIMEZONE",
    "STATE_LABELS",
    "TALK",
    "TASK_STATES",
    "WINDOW",
    "ActivityTask",
    "ArchiveEntry",
    "Bar",
    "CasePlanRow",
    "CasePlanView",
    "ChildCard",
    "ChildTask",
    "ChildView",
    "DayKind",
    "Event",
    "Field",
    "FieldKind",
    "Grouping",
    "Guanai",
    "GuanaiApp",
    "GuanaiError",
    "ImportReport",
    "IssuedFeedLink",
    "Label",
    "MonthTalks",
    "OutboxPage",
    "OutboxRow",
    "PairingChange",
    "PairingChoices",
    "PairingLoad",
    "Panel",
    "PlanChanges",
    "PlanSummary",
    "RecordError",
    "RecordFormSpec",
    "RemindersView",
    "RosterFilter",
    "RosterKey",
    "RosterPage",
    "RosterRejected",
    "RosterRow",
    "Scope",
    "TaskKey",
    "TaskWindow",
    "TeacherLoad",
    "TeachersView",
    "TermView",
    "TodayView",
    "Totals",
    "Week",
    "Workflow",
    "Workload",
    "collect_panels",
    "declared_bindings",
    "described",
    "is_english",
    "labelled_texts",
    "localize_bindings",
    "qr_text",
    "record_labels",
]

_SEPARATOR = "\t"


def described(label: Label) -> str:
    """A binding description in both languages; shown in the language of the moment."""
    return f"{label.zh}{_SEPARATOR}{label.en}"


def is_english() -> bool:
    return str(Label("zh", "en")) == "en"


def _localized(binding: Binding) -> Binding:
    if _SEPARATOR not in binding.description:
        return binding
    zh, en = binding.description.split(_SEPARATOR, 1)
    return replace(binding, description=en if is_english() else zh)


@cache
def _bilingual_bindings(node_type: type[DOMNode]) -> dict[str, list[Binding]]:
    """The bindings the classes of ``node_type`` declare (their public ``BINDINGS``), key by
    key, a subclass's replacing its bases' as Textual merges them."""
    keys: dict[str, list[Binding]] = {}
    for base in reversed(node_type.__mro__):
        if issubclass(base, DOMNode):
            keys.update(BindingsMap(base.__dict__.get("BINDINGS", [])).key_to_bindings)
    return keys


def declared_bindings(node_type: type[DOMNode]) -> dict[str, list[Binding]]:
    """What ``node_type`` declares, key by key, with :func:`described` descriptions in the
    language of the moment: what the help screen and the command palette list."""
    return {
        key: [_localized(binding) for binding in bindings]
        for key, bindings in _bilingual_bindings(node_type).items()
    }


def localize_bindings(node: DOMNode) -> None:
    """Show ``node``'s :func:`described` binding descriptions in the current language.

    Textual has no public way to change the description of a node's bindings once the node
    exists (a class's ``BINDINGS`` are merged when the class is created), so this is the one
    place that replaces a node's private binding map (``_bindings``); tests/test_tui.py pins
    what it must do, so an upgrade of Textual that changes it fails there. Bindings added at
    run time (Textual's own) are kept as they are; it may run again after the language
    changes.
    """
    declared = declared_bindings(type(node))
    current = node._bindings.key_to_bindings
    node._bindings = BindingsMap.from_keys(
        {key: declared.get(key, found) for key, found in current.items()}
    )


class Panel(Widget):
    """One tab of the dashboard, contributed by a plugin through ``register_panels``.

    Subclasses set ``panel_id`` (unique, ``[a-z][a-z0-9-]*``), ``title`` and ``order``
    (smaller comes first) and compose their widgets as any Textual widget does. Their
    ``BINDINGS`` (descriptions made with :func:`described`) appear in the footer, the help
    screen and the command palette. ``reload`` is called each time the panel is shown.
    ``self.service`` is the application service: read and act through its methods, in a
    worker thread (``self.run_worker(..., thread=True)``).
    """

    DEFAULT_CSS = "Panel { height: 1fr; }"
    can_focus = True  # so that its keys work when it has nothing else to focus
    panel_id: ClassVar[str] = ""
    title: ClassVar[Label] = Label("", "")
    order: ClassVar[int] = 100

    def __init__(self, service: Guanai) -> None:
        super().__init__(id=f"panel-{self.panel_id}")
        self.service = service
        localize_bindings(self)

    def reload(self) -> None:
        """Fetch the panel's data again (optional; the default does nothing)."""


def collect_panels(pm: GuanaiPluginManager) -> list[type[Panel]]:
    """Every registered panel class, in order; an invalid one is reported and left out, and
    of two with one ``panel_id`` the first registered (built-in before installed) wins."""

    def checked(panel: object, plugin: str) -> type[Panel]:
        if isinstance(panel, type) and issubclass(panel, Panel) and panel.panel_id:
            return panel
        raise PluginError(
            Label(
                f"插件 {plugin} 注册的面板无效：{panel!r}",
                f"plugin {plugin} registered an invalid panel: {panel!r}",
            )
        )

    found = pm.collect(
        "register_panels", checked, key=lambda panel: panel.panel_id, what=Label("面板", "panel")
    )
    return sorted(found.items.values(), key=lambda p: (p.order, p.panel_id))


_SWITCH = [Binding(str(n), f"switch({n})", show=False) for n in range(1, 10)]


class _PanelPane(TabPane):
    """A panel's tab pane. Focusing a widget in a pane activates the pane's tab (Textual's
    ``TabPane.Focused``); a focus given while the pane was on show but noticed only once
    another tab was chosen (a key pressed at start-up, on a busy machine, seen in CI) would
    undo that choice, so a pane not on show keeps the message to itself."""

    def on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        if self.query_ancestor(TabbedContent).active != self.id:
            event.stop()


class GuanaiApp(App[None]):
    """The dashboard shell: a header, one tab per panel, a footer with the key bindings.

    An account that may not use the dashboard (or a database that cannot be used) is refused
    before any panel is built: the app shows nothing and exits at once with code 1 and the
    reason (``refusal``).
    """

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

    def __init__(self, service: Guanai) -> None:
        super().__init__()
        self.service = service
        self.refusal: GuanaiError | None = None
        try:
            service.require("dashboard")
        except GuanaiError as error:
            self.refusal = error
        self.panels = [] if self.refusal else collect_panels(service.pm)
        self._initial_tab: str | None = None
        self._tabs_ready = False  # until the tab bar has activated its first tab
        self._pending_tab: str | None = None  # a tab asked for before that
        self.typed_feed_base_url: str | None = None
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        if self.refusal is not None:
            return
        self.sub_title = str(Label("关爱协调员仪表板", "Care coordinator's dashboard"))
        yield Header()
        with TabbedContent(initial=self._initial_tab or ""):
            for n, panel in enumerate(self.panels, start=1):
                # Content: a plugin's title is text, never markup
                title = Content(f"{n} {panel.title}")
                with _PanelPane(title, id=f"tab-{panel.panel_id}"):
                    yield panel(self.service)
        yield Footer()

    def on_mount(self) -> None:
        if self.refusal is not None:
            self.exit(return_code=1, message=str(self.refusal))

    @property
    def feed_base_url(self) -> str | None:
        """Where the teachers' phones reach the feed server: the ``[feeds] base_url`` setting,
        else the address typed in this session (None: ask before showing a QR code)."""
        return self.service.feed_base_url or self.typed_feed_base_url

    @property
    def current_panel(self) -> Panel | None:
        active = self.query_one(TabbedContent).active
        found = self.query(f"#panel-{active.removeprefix('tab-')}").first(Panel) if active else None
        return found

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._tabs_ready = True
        pending, self._pending_tab = self._pending_tab, None
        if pending is not None and pending != event.pane.id:
            event.tabbed_content.active = pending  # a key pressed during start-up
            return
        panel = self.current_panel
        if panel is not None:
            panel.reload()
            focusable = [w for w in panel.query("*") if w.focusable]
            (focusable[0] if focusable else panel).focus()

    def action_switch(self, number: int) -> None:
        if not 1 <= number <= len(self.panels):
            return
        wanted = f"tab-{self.panels[number - 1].panel_id}"
        if not self._tabs_ready:
            # The tab bar activates its first tab once it has mounted, and that would undo a
            # switch made before it: a key pressed that early waits for that activation.
            self._pending_tab = wanted
            return
        self.query_one(TabbedContent).active = wanted

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
        """Switch between Chinese and English; the panel on show stays on show."""
        set_language("en" if not is_english() else "zh")
        localize_bindings(self)
        if self.query(TabbedContent):
            self._initial_tab = self.query_one(TabbedContent).active
        self._tabs_ready = False  # the new tab bar activates its tab again
        await self.recompose()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette (ctrl+p): go to any panel, run the current panel's actions."""
        go = Label("切换到：", "Go to: ")
        for n, panel in enumerate(self.panels, start=1):
            yield SystemCommand(f"{go}{panel.title}", f"{n}", partial(self.action_switch, n))
        current = self._shown(screen)
        title = current.title if isinstance(current, Panel) else Label("当前窗口", "This window")
        declared = {} if current is None else declared_bindings(type(current))
        for bindings in declared.values():
            for binding in bindings:
                if binding.description:
                    yield SystemCommand(
                        f"{title}：{binding.description}",
                        binding.key_display or binding.key,
                        partial(self.run_action, binding.action, current),
                    )
        yield from super().get_system_commands(screen)
