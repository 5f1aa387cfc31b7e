"""Every hook guanai calls. Each docstring is that hook's documentation (docs/hooks/).

Registration hooks hand the plugin a ``register`` callback, so the core validates and orders
what plugins supply: :meth:`guanai.core.pm.GuanaiPluginManager.collect` calls their
implementations one at a time, in load order. Event hooks announce what the engine did, after
its transaction has committed; they are called the pluggy way, ``pm.hook.<name>(...)``, so a
hook wrapper (``@hookimpl(wrapper=True)``, or the old-style ``hookwrapper=True``) runs around
the other implementations. An implementation that raises, a wrapper before or after its
``yield`` included, is reported with its plugin's name and contained: the others still run.
An implementation may accept fewer arguments than a spec names, so adding an argument to a
hook never breaks an existing plugin. No hook is ``firstresult``: every implementation is
called and return values are ignored.
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

    For: adding the activities guanai can plan (``[[plan]] type = "<name>"`` in a term calendar).
    Called: once per set of loaded plugins, when the activity types are first needed (once in
    each command that plans, ticks, completes or shows tasks); again only after a plugin is
    registered or unregistered. Plugins are asked in the order they were loaded, built-in
    plugins first.

    Args:
        register: validates the class (a name, a bilingual title, steps with roles, see
            docs/plugins.md) and adds it. An invalid class, or a name another plugin already
            registered (the one loaded later is refused), is reported with the plugin's name and
            left out; ``register`` does not raise, and the plugin's other types still count.

    Returns: nothing; a return value is ignored (not firstresult: every plugin is asked).
    Contained: if the implementation raises, the exception is reported with the plugin's name;
    the types it registered before raising still count and the other plugins are unaffected.
    """


@hookspec
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    """Register reminder channels by calling ``register(SomeChannel)`` once for each.

    For: new ways of delivering reminders (SMS, a messenger). A channel is a subclass of
    :class:`guanai.Channel` with a unique ``name``, a bilingual ``title`` and a ``send`` method;
    it is used when its name is listed in the config's ``[reminders] channels``.
    Called: once per set of loaded plugins, when the channels are first needed (``guanai run``
    opening its channels; ``guanai plugins``). Plugins are asked in load order.

    Args:
        register: checks the class and adds it. An invalid channel, or a name already taken
            (the later one is refused), is reported with the plugin's name and left out;
            ``register`` does not raise, and the plugin's other channels still count.

    Returns: nothing; a return value is ignored (not firstresult: every plugin is asked).
    Contained: if the implementation raises, the exception is reported with the plugin's name
    and the channels it registered before raising still count.
    """


@hookspec
def register_holidays(calendar: TermCalendar, register: Callable[[CalendarEntry], None]) -> None:
    """Add holidays or make-up workdays to a term calendar, e.g. a province's own days off.

    Called: each time the command line or the dashboard loads a term calendar file, after the
    file is read: ``guanai plan``, ``demo``, ``simulate``, ``feeds issue`` without ``--term``,
    ``run --from``, and the dashboard's term panel. Days added here are not stored with the
    term, so calendar feeds do not show them.

    Args:
        calendar: the term calendar as loaded from the file: ``starts_on``, ``ends_on``,
            ``holiday_notices`` (the years with an official notice), its periods and entries.
        register: adds one ``Holiday(...)`` or ``MakeupWorkday(...)``
            (``CalendarEntry`` is ``Holiday | MakeupWorkday``). An entry in a year without an
            official notice recorded in the file must be ``provisional=True``: otherwise
            ``register`` raises :class:`guanai.CalendarError`.

    Returns: nothing; a return value is ignored (not firstresult: every plugin is asked).
    Contained: if the implementation raises (a ``CalendarError`` from ``register`` too), the
    exception is reported with the plugin's name; the entries it registered before raising are
    kept, and the calendar loads with the other plugins' entries.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``guanai`` command line: ``@cli.command()`` on a function.

    Called: once when the ``guanai`` program starts (``guanai.cli.main``, also
    ``python -m guanai``), before the command line is parsed; not when ``guanai.cli.cli`` is
    invoked directly (as by click's test runner).

    Args:
        cli: the ``guanai`` click group; add commands with ``@cli.command()`` or
            ``cli.add_command``.

    Returns: nothing; a return value is ignored (not firstresult: every plugin is asked).
    Contained: if the implementation raises, the exception is reported with the plugin's name
    and the program runs without the commands it had not yet added.
    """


@hookspec
def term_planned(summary: PlanSummary) -> None:
    """Announce that a term was planned (or re-planned) and the plan committed.

    Called: once after each plan has been committed: ``guanai plan``, ``guanai demo`` and a
    re-plan from the dashboard (``guanai simulate`` announces nothing).

    Args:
        summary: what the plan did, summed over the schools planned: ``term_key``,
            ``schools``, ``activities_created``, ``activities_cancelled``, task counts
            (``created``, ``updated``, ``reopened``, ``cancelled``, ``unchanged``,
            ``kept_done``), ``unpaired_children``, ``over_capacity``, ``left_out`` and
            ``left_out_by_type`` (duties closed before the school's or child's first day, not
            planned), ``same_week``, ``warnings`` (a list of ``Label``) and ``changed`` (the
            sum of the changes).

    Returns: nothing; a return value is ignored (not firstresult: every plugin is told).
    Contained: if the implementation raises, the exception is reported with the plugin's name;
    the plan is already committed and the other plugins are still told. A wrapper runs around
    the other implementations and is contained in the same way.
    """


@hookspec
def tick_finished(report: TickReport) -> None:
    """Announce that ``tick`` moved tasks through their states and queued reminders.

    Called: once after each tick has been committed: ``guanai tick``, ``guanai demo``, and every
    cycle of the daemon (``guanai run``, each ``tick_every_seconds``). ``guanai simulate``
    announces nothing.

    Args:
        report: ``now`` (the time ticked) and the counts of this tick's transitions:
            ``became_due``, ``became_overdue``, ``escalated`` and ``reminders_queued``.

    Returns: nothing; a return value is ignored (not firstresult: every plugin is told).
    Contained: if the implementation raises, the exception is reported with the plugin's name;
    the tick is already committed, the other plugins are still told and the daemon keeps
    running. A wrapper runs around the other implementations and is contained in the same way.
    """


@hookspec
def task_completed(task_id: int, activity_type: str, step: str, actor: str) -> None:
    """Announce that a task's step was recorded and committed.

    Called: once for each completed task, after its record has been committed: ``guanai
    complete`` and the dashboard's record forms.

    Args:
        task_id: the task's id (as in ``guanai agenda`` and the feeds' ``task-<id>@guanai``).
        activity_type: the name of the task's activity type, e.g. ``"talk"``.
        step: the name of the step completed, e.g. ``"head_teacher_talk"``.
        actor: who recorded it: the name in the audit trail.

    The record itself is not passed: it may hold private fields.

    Returns: nothing; a return value is ignored (not firstresult: every plugin is told).
    Contained: if the implementation raises, the exception is reported with the plugin's name;
    the record is already committed and the other plugins are still told. A wrapper runs
    around the other implementations and is contained in the same way.
    """


@hookspec
def register_panels(register: Callable[[type[Panel]], None]) -> None:
    """Add panels (tabs) to the coordinator's dashboard: ``register(SomePanel)`` for each.

    Called: once when the dashboard (``guanai tui``) starts. A panel is a subclass of
    :class:`guanai.tui.Panel` (a Textual widget) with a unique ``panel_id``, a bilingual
    ``title`` and an ``order``; the dashboard shows the panels as tabs in that order. A panel may
    define ``reload()`` (called each time it is shown) and describes its keys with
    ``guanai.tui.described(Label(...))`` so that they follow the language. Import Textual
    inside the hook implementation, not at module level, so that the command line does not
    load it.

    Args:
        register: adds one panel class. An invalid panel (not a ``Panel`` subclass, no
            ``panel_id``) or a ``panel_id`` already taken is reported with the plugin's name and
            left out; ``register`` does not raise.

    Returns: nothing; a return value is ignored (not firstresult: every plugin is asked).
    Contained: if the implementation raises, the exception is reported with the plugin's name
    and the dashboard starts with the other panels.
    """
