"""The schools' time zone: one constant, in a module that imports nothing heavy.

:mod:`guanai.core.calendar` (loaded by ``import guanai``) needs it and must not load
SQLAlchemy, so it lives here rather than in :mod:`guanai.core.schools`, which re-exports it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

SCHOOL_TIMEZONE_NAME = "Asia/Shanghai"
SCHOOL_TIMEZONE = ZoneInfo(SCHOOL_TIMEZONE_NAME)
"""Where the schools are: the default of a term calendar and of every clock."""
