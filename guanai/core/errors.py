"""Errors the user can act on. Each carries a bilingual message that names what is wrong.

The CLI prints these as one line; anything else is a bug and keeps its traceback.
Messages never contain private fields of a record (names, phones, addresses, notes).
"""

from __future__ import annotations

from guanai.core.i18n import Label


class GuanaiError(Exception):
    """Base of every error guanai reports to a user."""

    def __init__(self, message: Label) -> None:
        super().__init__(message.en)
        self.label = message

    def __str__(self) -> str:
        return str(self.label)


class ConfigError(GuanaiError):
    """The config file is missing a key, has a wrong value or cannot be read."""


class CalendarError(GuanaiError):
    """A term calendar file is malformed; the message names the file and key."""


class PluginError(GuanaiError):
    """A plugin is invalid or raised; the message names the plugin."""


class RecordError(GuanaiError):
    """A step's record is incomplete or malformed; the message names the field."""


class NotFoundError(GuanaiError):
    """Something named on the command line does not exist."""
