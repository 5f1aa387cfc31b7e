"""Every feed of the demo school, read by two independent parsers, and its invariants."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import icalendar
import pytest
import vobject
from feed_samples import (
    PLANNED,
    REPLANNED,
    TERM,
    edited_calendar,
    every_key,
    plan,
    registry,
    render,
    unfold,
)
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from guanai.core.calendar import load_calendar
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.feeds.cache import FeedCache
from guanai.core.feeds.render import build_calendar, render_feed
from guanai.core.feeds.scope import FeedKey, feed_content, newest_change
from guanai.core.models import Child, Guardian, Parent, Task, TaskState

UID = re.compile(
    r"^(task-\d+|holiday-[\w-]+-\d{8}|workday-[\w-]+-\d{8}|period-[\w-]+|break-[\w-]+)@guanai$"
)


def _planned_school(engine: Engine, children: int) -> int:
    with transaction(engine) as session:
        school_id = create_demo_school(session, children=children)
        plan(session, load_calendar(TERM), PLANNED)
    return school_id


def _feeds(engine: Engine, school_id: int) -> dict[FeedKey, bytes]:
    reg = registry()
    with transaction(engine) as session:
        return {key: render(session, key, reg) for key in every_key(session, school_id)}


@pytest.fixture
def school(engine: Engine) -> int:
    """A small demo school (60 children), for the tests that re-plan or edit tasks."""
    return _planned_school(engine, 60)


@pytest.fixture
def feeds(engine: Engine, school: int) -> dict[FeedKey, bytes]:
    return _feeds(engine, school)


def icalendar_events(body: bytes) -> dict[str, tuple[date, date]]:
    calendar = icalendar.Calendar.from_ical(body)
    return {
        str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in calendar.walk("VEVENT")
    }


def vobject_events(body: bytes) -> dict[str, tuple[date, date]]:
    calendar = vobject.readOne(body.decode("utf-8"))
    return {
        e.uid.value: (e.dtstart.value, e.dtend.value) for e in calendar.contents.get("vevent", [])
    }


def test_every_feed_of_the_demo_school(engine: Engine, session: Session) -> None:
    """The whole demo school (300 children): every teacher's, class's and the school's feed."""
    feeds = _feeds(engine, _planned_school(engine, 300))
    check_parsers_agree(feeds)
    check_invariants(feeds)
    check_no_private_field(feeds, session)


def check_parsers_agree(feeds: dict[FeedKey, bytes]) -> None:
    events = 0
    for key, body in feeds.items():
        ours, theirs = icalendar_events(body), vobject_events(body)
        assert ours == theirs, key
        for start, end in ours.values():
            # all-day events: dates (not date-times), exclusive end after the start
            assert type(start) is date and type(end) is date
            assert end > start
        events += len(ours)
    assert events > 1000


def test_small_school_feeds_pass_the_same_checks(
    feeds: dict[FeedKey, bytes], session: Session
) -> None:
    check_parsers_agree(feeds)
    check_invariants(feeds)
    check_no_private_field(feeds, session)


def check_invariants(feeds: dict[FeedKey, bytes]) -> None:
    for key, body in feeds.items():
        assert body.endswith(b"\r\n")
        lines = body.split(b"\r\n")[:-1]
        assert all(b"\n" not in line and b"\r" not in line for line in lines), key
        assert max(len(line) for line in lines) <= 75, key
        text = unfold(body)
        uids = re.findall(r"^UID:(.*)$", text, re.M)
        assert len(uids) == len(set(uids)) and all(UID.match(u) for u in uids), key
        stamps = re.findall(r"^DTSTAMP(.*)$", text, re.M)
        assert len(stamps) == len(uids)
        assert all(re.fullmatch(r":\d{8}T\d{6}Z", s) for s in stamps), key
        used = set(re.findall(r"TZID=([^;:]+)", text))
        defined = set(re.findall(r"^TZID:(.*)$", text, re.M))
        assert used <= defined and "Asia/Shanghai" in defined
        for needed in ("NAME:", "X-WR-CALNAME:", "REFRESH-INTERVAL;VALUE=DURATION:PT1H"):
            assert f"\n{needed}" in text
        assert "VALARM" not in text  # off by default


def test_school_feed_shows_holidays_workdays_and_only_school_wide_tasks(
    feeds: dict[FeedKey, bytes], session: Session
) -> None:
    (body,) = [b for k, b in feeds.items() if k.scope == "school"]
    text = unfold(body)
    assert "放假: 国庆节" in text and "调休上课" in text
    assert "DTSTART;VALUE=DATE:20261001\nDTEND;VALUE=DATE:20261008" in text
    school_tasks = session.scalars(select(Task.id).where(Task.subject == "s")).all()
    task_uids = set(re.findall(r"^UID:task-(\d+)@guanai", text, re.M))
    assert task_uids == {str(t) for t in school_tasks}


def check_no_private_field(feeds: dict[FeedKey, bytes], session: Session) -> None:
    secrets: set[str] = set()
    for child in session.scalars(select(Child)):
        secrets |= {child.name, child.id_number or "", child.home_address or "", child.notes or ""}
    for guardian in session.scalars(select(Guardian)):
        secrets |= {
            guardian.name,
            guardian.phone or "",
            guardian.address or "",
            guardian.health or "",
        }
    for parent in session.scalars(select(Parent)):
        secrets |= {parent.name or "", parent.phone or "", parent.unit_phone or ""}
    secrets = {s for s in secrets if len(s) >= 2}
    names = {s for s in secrets if len(s) <= 4}
    for key, body in feeds.items():
        text = unfold(body)
        found = {s for s in secrets if s in text}
        if key.scope == "teacher":  # a feed's own name holds its teacher's name
            calname = re.search(r"^X-WR-CALNAME:关爱·(.*)的任务$", text, re.M)
            assert calname is not None
            found -= {calname.group(1)} & names
        assert not found, (key, sorted(found)[:3])
        assert "DESCRIPTION" not in text and "URL" not in text
    talk = next(b for k, b in feeds.items() if k.scope == "teacher" and "谈心" in unfold(b))
    assert re.search(r"SUMMARY:谈心: [^\r\n]* · .\*+（[^）]+）( · \d+)?$", unfold(talk), re.M)


def test_rendering_is_deterministic(engine: Engine, school: int) -> None:
    reg = registry()
    with transaction(engine) as session:
        keys = every_key(session, school)
        first = [render(session, key, reg) for key in keys[:3] + keys[-2:]]
    with transaction(engine) as session:
        second = [render(session, key, reg) for key in keys[:3] + keys[-2:]]
    assert first == second


def test_a_replan_after_a_calendar_edit_raises_sequence_on_changed_events_only(
    engine: Engine, school: int, feeds: dict[FeedKey, bytes]
) -> None:
    with transaction(engine) as session:
        plan(session, edited_calendar(), REPLANNED)
    with transaction(engine) as session:
        after = {key: render(session, key) for key in feeds}
    before, now = _events(feeds), _events(after)
    changed = unchanged = 0
    for uid, (sequence, where) in now.items():
        if uid not in before or not uid.startswith("task-"):
            continue
        old_sequence, old_where = before[uid]
        if where != old_where:  # moved, reassigned or cancelled
            assert sequence > old_sequence, uid
            changed += 1
        else:
            assert sequence == old_sequence, uid
            unchanged += 1
    assert changed and unchanged > changed


def _events(feeds: dict[FeedKey, bytes]) -> dict[str, tuple[int, frozenset[object]]]:
    """Each event's SEQUENCE and where it appears: (feed, (DTSTART, DTEND, cancelled))."""
    found: dict[str, tuple[int, set[object]]] = {}
    for key, body in feeds.items():
        for uid, (sequence, dates) in _sequences(body).items():
            found.setdefault(uid, (sequence, set()))[1].add((key, dates))
            assert found[uid][0] == sequence
    return {uid: (sequence, frozenset(where)) for uid, (sequence, where) in found.items()}


def _sequences(body: bytes) -> dict[str, tuple[int, tuple[str, str, bool]]]:
    result = {}
    for block in unfold(body).split("BEGIN:VEVENT")[1:]:
        uid = re.search(r"^UID:(.*)$", block, re.M)
        sequence = re.search(r"^SEQUENCE:(\d+)$", block, re.M)
        start = re.search(r"^DTSTART;VALUE=DATE:(\d+)$", block, re.M)
        end = re.search(r"^DTEND;VALUE=DATE:(\d+)$", block, re.M)
        assert uid and sequence and start and end
        status = "STATUS:CANCELLED" in block
        result[uid.group(1)] = (int(sequence.group(1)), (start.group(1), end.group(1), status))
    return result


def test_cancelled_tasks_show_as_cancelled_then_drop_out(engine: Engine, school: int) -> None:
    key = FeedKey("school", school, None, None, TERM, False)
    with transaction(engine) as session:
        first, second = session.scalars(
            select(Task.id).where(Task.subject == "s").order_by(Task.id).limit(2)
        ).all()
        session.execute(
            update(Task)
            .where(Task.id == first)
            .values(state=TaskState.CANCELLED.value, sequence=1, changed_at=REPLANNED)
        )
    with transaction(engine) as session:
        text = unfold(render(session, key))
    block = text.split(f"UID:task-{first}@guanai")[1].split("END:VEVENT")[0]
    assert "STATUS:CANCELLED" in block and "SEQUENCE:1" in block
    later = REPLANNED + timedelta(days=31)
    with transaction(engine) as session:
        session.execute(update(Task).where(Task.id == second).values(sequence=1, changed_at=later))
    with transaction(engine) as session:
        text = unfold(render(session, key))
    assert f"UID:task-{first}@guanai" not in text
    assert "LAST-MODIFIED:" + later.strftime("%Y%m%dT%H%M%SZ") in text


def test_alarms_on_request(engine: Engine, school: int) -> None:
    with transaction(engine) as session:
        text = unfold(render(session, FeedKey("school", school, None, None, TERM, True)))
    assert "BEGIN:VALARM" in text and "TRIGGER;RELATED=END:-PT16H" in text


def test_cache_renders_once_per_change(engine: Engine, school: int) -> None:
    cache = FeedCache(registry())
    key = FeedKey("school", school, None, None, TERM, False)
    with transaction(engine) as session:
        one = cache.lookup(session, key)
        two = cache.lookup(session, key)
    assert one is two and cache.renders == 1
    assert one.etag == f'"{__import__("hashlib").sha256(one.body).hexdigest()}"'
    with transaction(engine) as session:
        task = session.scalars(select(Task).where(Task.subject == "s").limit(1)).one()
        task.sequence += 1
        task.changed_at = datetime(2026, 9, 20, tzinfo=PLANNED.tzinfo)
    with transaction(engine) as session:
        three = cache.lookup(session, key)
    assert three.etag != one.etag and cache.renders == 2


def test_spliced_bytes_equal_icalendars_own_rendering(engine: Engine, school: int) -> None:
    reg = registry()
    with transaction(engine) as session:
        for key in every_key(session, school, alarms=True)[-3:]:
            content = feed_content(session, key, reg, newest_change(session, key))
            assert render_feed(content) == build_calendar(content).to_ical()
