"""Times on the terminal: a stored time (UTC) is printed on the schools' clock, and says so.

The dashboard shows the schools' time; a command printing UTC beside it (as ``child show`` and
``feeds list`` did) made one event look eight hours apart. Every command that prints a time
goes through :func:`school_time`, and names the zone once: in its column's header
(:func:`zoned`) or after the time (:func:`zoned_time`).
"""

from __future__ import annotations

from datetime import datetime

from guanai.core.i18n import Label
from guanai.core.timezone import SCHOOL_TIMEZONE

ZONE = Label("北京时间", "Beijing time")
"""What people call :data:`~guanai.core.timezone.SCHOOL_TIMEZONE` (Asia/Shanghai)."""


def school_time(at: datetime) -> str:
    """``at`` (aware, as stored: UTC) on the schools' clock, to the minute."""
    return f"{at.astimezone(SCHOOL_TIMEZONE):%Y-%m-%d %H:%M}"


def zoned_time(at: datetime) -> str:
    """:func:`school_time` followed by the zone's name: ``2026-09-15 08:00（北京时间）``."""
    return str(Label(f"{school_time(at)}（{ZONE.zh}）", f"{school_time(at)} ({ZONE.en})"))


def zoned(header: Label) -> str:
    """A column header for times, naming their zone: ``时间（北京时间）/ when (Beijing time)``."""
    return str(Label(f"{header.zh}（{ZONE.zh}）", f"{header.en} ({ZONE.en})"))
