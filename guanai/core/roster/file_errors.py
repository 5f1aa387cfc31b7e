"""The error of a roster file that cannot be read: its own module, so that each reader raises it."""

from __future__ import annotations

from guanai.core.errors import GuanaiError


class RosterFileError(GuanaiError):
    """The file cannot be read as a roster: wrong format, encoding, headers, or past a limit."""
