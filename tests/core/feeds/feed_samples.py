"""A planned demo school and the feeds of all its teachers, classes and the school."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar, load_calendar, parse_calendar
from guanai.core.feeds.render import render_feed
from guanai.core.feeds.scope import FeedKey, feed_content, newest_change
from guanai.core.models import SchoolClass, Teacher
from guanai.core.planner import plan_term
from guanai.core.pm import build_plugin_manager

TERM = "2026-autumn"
PLANNED = datetime(2026, 8, 20, 8, 0, tzinfo=UTC)
REPLANNED = datetime(2026, 9, 10, 8, 0, tzinfo=UTC)
# Safety education moves from Wednesday 30 September to Tuesday 29 September.
MOVED_FROM, MOVED_TO = "on = 2026-09-30", "on = 2026-09-29"


def registry() -> ActivityRegistry:
    return build_plugin_manager(load_entry_points=False).activity_registry()


def plan(session: Session, calendar: TermCalendar, now: datetime) -> None:
    plan_term(session, calendar, registry(), actor="test", now=now, max_per_teacher_per_day=6)


def edited_calendar() -> TermCalendar:
    original = load_calendar(TERM)
    assert original.text.count(MOVED_FROM) == 1
    return parse_calendar(original.text.replace(MOVED_FROM, MOVED_TO), original.source)


def every_key(session: Session, school_id: int, alarms: bool = False) -> list[FeedKey]:
    teachers = session.scalars(select(Teacher.id).where(Teacher.school_id == school_id)).all()
    classes = session.scalars(
        select(SchoolClass.id).where(SchoolClass.school_id == school_id)
    ).all()
    return [
        *(FeedKey("teacher", school_id, t, None, TERM, alarms) for t in teachers),
        *(FeedKey("class", school_id, None, c, TERM, alarms) for c in classes),
        FeedKey("school", school_id, None, None, TERM, alarms),
    ]


def render(session: Session, key: FeedKey, reg: ActivityRegistry | None = None) -> bytes:
    return render_feed(feed_content(session, key, reg or registry(), newest_change(session, key)))


def unfold(body: bytes) -> str:
    """The text with folded lines joined and "\\n" line ends."""
    return body.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").replace("\r\n", "\n")


def write_calendar(tmp: Path, calendar: TermCalendar) -> Path:
    path = tmp / f"{calendar.key}.toml"
    path.write_text(calendar.text, encoding="utf-8")
    return path
