"""Every hook guanai calls. Each docstring is that hook's documentation.

Registration hooks hand the plugin a ``register`` callback, so the core validates and orders
what plugins supply. Event hooks announce what the engine did, after its transaction has
committed; their return values are ignored and an exception in one is reported and contained.
An implementation may accept fewer arguments than a spec names, so adding an argument to a
hook never breaks an existing plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click
import pluggy

if TYPE_CHECKING:
    from guanai.core.activity import ActivityType
    from guanai.core.calendar import CalendarEntry, TermCalendar
    from guanai.core.engine import PlanSummary, TickReport
    from guanai.core.reminders.channels import Channel
    from guanai.tui import Panel

hookspec = pluggy.HookspecMarker("guanai")
hookimpl = pluggy.HookimplMarker("guanai")


@hookspec
def register_activity_types(register: Callable[[type[ActivityType]], None]) -> None:
    """Register activity types by calling ``register(SomeActivityType)`` once for each.

    Called when the activity types are first needed, and again only after a plugin is
    registered or unregistered. ``register`` validates the class (a name,
    a bilingual title, steps with roles) and raises :class:`guanai.PluginError` naming the
    plugin if it is not valid; the plugin's other registrations still count. Two plugins may
    not register the same name. Return value: ignored.
    """


@hookspec
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    """Register reminder channels by calling ``register(SomeChannel)`` once for each.

    A channel is a subclass of :class:`guanai.Channel` with a unique ``name`` and a bilingual
    ``title``; it is used when its name is listed in the config's ``[reminders] channels``.
    Called when the channels are first needed. An invalid channel is reported with the
    plugin's name and left out; the plugin's other registrations still count. Return value:
    ignored.
    """


@hookspec
def register_holidays(calendar: TermCalendar, register: Callable[[CalendarEntry], None]) -> None:
    """Add holidays or make-up workdays to a term calendar, e.g. a province's own days off.

    Called each time a term calendar file is loaded. Call ``register(Holiday(...))`` or
    ``register(MakeupWorkday(...))`` for each day or range; entries for a year without an
    official notice in the calendar file must be ``provisional=True``. Return value: ignored.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``guanai`` command line: ``@cli.command()`` on a function.

    Called once when the CLI starts. Return value: ignored.
    """


@hookspec
def term_planned(summary: PlanSummary) -> None:
    """Announce that a term was planned (or re-planned) and the plan committed.

    ``summary`` counts what was created, updated, cancelled and kept, per school. Return
    value: ignored.
    """


@hookspec
def tick_finished(report: TickReport) -> None:
    """Announce that ``tick`` moved tasks through their states and queued reminders.

    ``report`` holds the time ticked and the counts of each transition. Return value: ignored.
    """


@hookspec
def task_completed(task_id: int, activity_type: str, step: str, actor: str) -> None:
    """Announce that a task's step was recorded and committed.

    The record itself is not passed: it may hold private fields. Return value: ignored.
    """


@hookspec
def register_panels(register: Callable[[type[Panel]], None]) -> None:
    """Add panels (screens) to the coordinator's dashboard: ``register(SomePanel)`` for each.

    Called once when the dashboard starts. A panel is a subclass of :class:`guanai.tui.Panel`
    (a Textual widget) with a unique ``panel_id``, a bilingual ``title`` and an ``order``;
    the dashboard shows the panels as tabs in that order. A panel may define ``reload()``
    (called each time it is shown) and describes its keys with
    ``guanai.tui.described(Label(...))`` so that they follow the language. Import Textual
    inside the hook implementation, not at module level, so that the command line does not
    load it. An invalid panel is reported with the plugin's name and left out. Return value:
    ignored.
    """
