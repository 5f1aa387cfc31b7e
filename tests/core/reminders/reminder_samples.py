"""Times and settings shared by the reminder tests."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from guanai.core.config import ReminderSettings, Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANNELS = ["inbox", "smtp"]
SETTINGS = Settings(escalate_after_days=7, reminders=ReminderSettings(channels=CHANNELS))


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)
