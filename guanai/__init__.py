"""guanai (关爱): a plugin-based scheduling and workflow framework for a school's care programme
for left-behind children.

This module is the public API: everything a plugin imports comes from here (and, for dashboard
panels, from ``guanai.tui``). Anything not listed in ``__all__`` is private and may change
without notice. The application service and its read results need the database modules, so
they are imported on first use (:func:`__getattr__`): ``import guanai`` stays cheap.
"""

from typing import TYPE_CHECKING, Any

from guanai.core.activity import (
    ActivityType,
    Anchor,
    Coverage,
    DayOffError,
    Field,
    FieldError,
    FieldKind,
    Offset,
    RecordProblems,
    Reminder,
    Role,
    Selection,
    Step,
    at_end,
    at_start,
)
from guanai.core.calendar import Holiday, MakeupWorkday, Period, TermCalendar
from guanai.core.errors import CalendarError, ConfigError, GuanaiError, PluginError, RecordError
from guanai.core.hookspecs import hookimpl
from guanai.core.i18n import Label, yes_no
from guanai.core.reminders.channels import Channel, ChannelOptions, Delivery, DeliveryError
from guanai.core.reminders.message import Content, Message, Recipient, Section
from guanai.core.text import terminal_safe

if TYPE_CHECKING:
    from guanai.cli.context import ROW_ID, TerminalConsole, pass_service
    from guanai.cli.times import school_time, zoned
    from guanai.core.agenda import Agenda, AgendaItem
    from guanai.core.feeds.links import LOOPBACK_NOTE, is_loopback, qr_text
    from guanai.service import Guanai
    from guanai.service.feed_actions import FeedRow, IssuedFeedLink
    from guanai.service.link_actions import IssuedTeacherLink, LinkRow
    from guanai.service.task_reads import TaskView

_LAZY = {
    "Agenda": "guanai.core.agenda",
    "AgendaItem": "guanai.core.agenda",
    "FeedRow": "guanai.service.feed_actions",
    "Guanai": "guanai.service",
    "IssuedFeedLink": "guanai.service.feed_actions",
    "IssuedTeacherLink": "guanai.service.link_actions",
    "LinkRow": "guanai.service.link_actions",
    "ROW_ID": "guanai.cli.context",
    "TaskView": "guanai.service.task_reads",
    "TerminalConsole": "guanai.cli.context",
    "pass_service": "guanai.cli.context",
    "LOOPBACK_NOTE": "guanai.core.feeds.links",
    "is_loopback": "guanai.core.feeds.links",
    "qr_text": "guanai.core.feeds.links",
    "school_time": "guanai.cli.times",
    "zoned": "guanai.cli.times",
}
"""Public names whose modules load SQLAlchemy (or the command line), by module."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LOOPBACK_NOTE",
    "ROW_ID",
    "ActivityType",
    "Agenda",
    "AgendaItem",
    "Anchor",
    "CalendarError",
    "Channel",
    "ChannelOptions",
    "ConfigError",
    "Content",
    "Coverage",
    "DayOffError",
    "Delivery",
    "DeliveryError",
    "FeedRow",
    "Field",
    "FieldError",
    "FieldKind",
    "Guanai",
    "GuanaiError",
    "Holiday",
    "IssuedFeedLink",
    "IssuedTeacherLink",
    "Label",
    "LinkRow",
    "MakeupWorkday",
    "Message",
    "Offset",
    "Period",
    "PluginError",
    "Recipient",
    "RecordError",
    "RecordProblems",
    "Reminder",
    "Role",
    "Section",
    "Selection",
    "Step",
    "TaskView",
    "TermCalendar",
    "TerminalConsole",
    "at_end",
    "at_start",
    "hookimpl",
    "is_loopback",
    "pass_service",
    "qr_text",
    "school_time",
    "terminal_safe",
    "yes_no",
    "zoned",
]
