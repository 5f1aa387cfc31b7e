"""guanai (关爱): a plugin-based scheduling and workflow framework for a school's care programme
for left-behind children.

This module is the public API: everything a plugin imports comes from here, and only from here.
Anything not listed in ``__all__`` is private and may change without notice.
"""

from guanai.core.activity import (
    ActivityType,
    Anchor,
    Coverage,
    Field,
    FieldKind,
    Offset,
    Reminder,
    Role,
    Step,
    at_end,
    at_start,
)
from guanai.core.calendar import Holiday, MakeupWorkday, Period, TermCalendar
from guanai.core.errors import CalendarError, ConfigError, GuanaiError, PluginError, RecordError
from guanai.core.hookspecs import hookimpl
from guanai.core.i18n import Label
from guanai.core.reminders.channels import Channel, ChannelOptions, Delivery, DeliveryError
from guanai.core.reminders.message import Content, Message, Recipient, Section

__all__ = [
    "ActivityType",
    "Anchor",
    "CalendarError",
    "Channel",
    "ChannelOptions",
    "ConfigError",
    "Content",
    "Coverage",
    "Delivery",
    "DeliveryError",
    "Field",
    "FieldKind",
    "GuanaiError",
    "Holiday",
    "Label",
    "MakeupWorkday",
    "Message",
    "Offset",
    "Period",
    "PluginError",
    "Recipient",
    "RecordError",
    "Reminder",
    "Role",
    "Section",
    "Step",
    "TermCalendar",
    "at_end",
    "at_start",
    "hookimpl",
]
