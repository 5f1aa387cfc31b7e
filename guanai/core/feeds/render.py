"""A feed's bytes, built with the ``icalendar`` library and deterministic for unchanged data.

Every event is all-day (``DTSTART;VALUE=DATE``, exclusive ``DTEND``): a spread duty such as a
talk on its scheduled day, any other step from its first day to its due day. ``DTSTAMP`` and
``LAST-MODIFIED`` are the task's change time, never the clock; ``SEQUENCE`` is the task's.
Calendar days (holidays, make-up workdays, periods) carry sequence 0 and the feed's newest
change. A done task is ``STATUS:CONFIRMED`` with a description of its day (an event has no
"completed" status in RFC 5545: CONFIRMED, beside its 【已完成】 summary, is what calendar apps
show as settled; an open task has no STATUS), and every task links (``URL``) to its page on the
teacher's phone when the server's address is known. The calendar names Asia/Shanghai (or the term's zone) in ``X-WR-TIMEZONE`` and carries
its ``VTIMEZONE``, trimmed to the term's years.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from guanai.core.feeds.scope import FeedContent, FeedItem

PRODID = "-//guanai//feeds 1.0//ZH"
REFRESH = timedelta(hours=1)
ALARM_BEFORE = timedelta(hours=-16)  # 08:00 on the day for an all-day event: 16 h before DTEND
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=16)
def _timezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The zone's VTIMEZONE for the term's years; built once, as it is slow to compute."""
    return Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


def _stamp(content: FeedContent) -> datetime:
    if content.newest_change is not None:
        return content.newest_change.astimezone(UTC)
    return datetime.combine(content.term_starts_on, time(), UTC) if content.items else _EPOCH


def _event(item: FeedItem, stamp: datetime, alarms: bool) -> Event:
    changed = (item.changed_at or stamp).astimezone(UTC)
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("dtstart", item.starts_on)
    event.add("dtend", item.ends_on + timedelta(days=1))
    event.add("summary", item.summary)
    event.add("sequence", item.sequence)
    event.add("transp", "TRANSPARENT")
    event.add("class", "PRIVATE")
    if item.url is not None:
        event.add("url", item.url)
    if item.cancelled:
        event.add("status", "CANCELLED")
    elif item.done_on is not None:
        event.add("status", "CONFIRMED")
        event.add("description", f"已完成（{item.done_on:%Y-%m-%d} 记录）")
    elif alarms and item.changed_at is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.summary)
        alarm.add("trigger", ALARM_BEFORE, parameters={"RELATED": "END"})
        event.add_component(alarm)
    return event


@lru_cache(maxsize=50_000)
def _event_bytes(item: FeedItem, stamp: datetime | None, alarms: bool) -> bytes:
    """One VEVENT's lines. Kept: a re-plan renders again only the events that changed, and a
    task in a teacher's and a class's feed is rendered once."""
    return _event(item, stamp or _EPOCH, alarms).to_ical()


def build_calendar(content: FeedContent) -> Calendar:
    """The feed as an :class:`icalendar.Calendar` (``render_feed`` gives the same bytes)."""
    calendar = _header(content)
    stamp = _stamp(content)
    for item in content.items:
        calendar.add_component(_event(item, stamp, content.alarms))
    return calendar


def _header(content: FeedContent) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", content.name)
    calendar.add("x-wr-calname", content.name)
    calendar.add("x-wr-timezone", content.timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    calendar.add("last-modified", _stamp(content))
    if content.term_starts_on != date.min:
        calendar.add_component(
            _timezone(content.timezone, content.term_starts_on.year, content.term_ends_on.year)
        )
    return calendar


def render_feed(content: FeedContent) -> bytes:
    """The feed as iCalendar bytes (UTF-8, CRLF, lines folded at 75 octets).

    The calendar's own lines come from icalendar, each event's from a cache of icalendar's
    rendering of that event, in the order ``build_calendar`` would add them.
    """
    head = _header(content).to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    stamp = _stamp(content)
    events = (
        _event_bytes(item, stamp if item.changed_at is None else None, content.alarms)
        for item in content.items
    )
    return head[: -len(end)] + b"".join(events) + end
