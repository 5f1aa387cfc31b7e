"""A clock that stands still until a test moves it: guanai never reads the time itself."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from guanai.core.timezone import SCHOOL_TIMEZONE_NAME


def aware(value: datetime | str, timezone: str = SCHOOL_TIMEZONE_NAME) -> datetime:
    """``value`` (a datetime or an ISO string) with a time zone; a naive one is in ``timezone``."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


class FrozenClock:
    """The time a test acts at: ``now`` changes only through ``set`` and ``advance``."""

    def __init__(self, start: datetime | str) -> None:
        self.now = aware(start)

    def set(self, value: datetime | str) -> datetime:
        self.now = aware(value)
        return self.now

    def advance(self, days: float = 0, hours: float = 0) -> datetime:
        self.now += timedelta(days=days, hours=hours)
        return self.now

    def __repr__(self) -> str:
        return f"FrozenClock({self.now.isoformat()})"
