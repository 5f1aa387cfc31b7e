"""What a teacher reads in a feed: done tasks marked, children told apart, no two entries of
a day alike, each task linked to its page on the phone."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import icalendar
import pytest
import vobject
from feed_samples import PLANNED, TERM, plan, registry, unfold
from sqlalchemy import Engine, func, select, update

from guanai.core.calendar import load_calendar
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.feeds.cache import FeedCache
from guanai.core.feeds.render import render_feed
from guanai.core.feeds.scope import DONE_MARK, FeedKey, feed_content, newest_change
from guanai.core.models import Activity, Task, TaskState

DONE_AT = datetime(2026, 9, 10, 2, 0, tzinfo=UTC)
BASE = "https://guanai.school.cn/"


@pytest.fixture
def school(engine: Engine) -> int:
    with transaction(engine) as session:
        school_id = create_demo_school(session, children=60)
        plan(session, load_calendar(TERM), PLANNED)
    return school_id


def busiest_teacher(engine: Engine, school: int) -> FeedKey:
    with transaction(engine) as session:
        teacher = session.execute(
            select(Task.assignee_id)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.school_id == school, Task.child_id.is_not(None))
            .group_by(Task.assignee_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
    return FeedKey("teacher", school, teacher, None, TERM, False)


def summaries(body: bytes) -> list[tuple[str, str]]:
    """(SUMMARY, DTSTART) of every event, read by icalendar; vobject must read the same."""
    ours = [
        (str(e["SUMMARY"]), e.decoded("DTSTART").isoformat())
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    ]
    theirs = [
        (e.summary.value, e.dtstart.value.isoformat())
        for e in vobject.readOne(body.decode("utf-8")).contents.get("vevent", [])
    ]
    assert sorted(ours) == sorted(theirs)
    return ours


def test_a_done_task_is_marked_and_its_feed_changes_version(engine, school):
    key = busiest_teacher(engine, school)
    cache = FeedCache(registry())
    with transaction(engine) as session:
        before = cache.lookup(session, key)
        task_id = session.scalars(
            select(Task.id).where(Task.assignee_id == key.teacher_id).order_by(Task.id).limit(1)
        ).one()
        session.execute(
            update(Task)
            .where(Task.id == task_id)
            .values(state=TaskState.DONE.value, completed_at=DONE_AT, changed_at=DONE_AT)
        )
    with transaction(engine) as session:
        after = cache.lookup(session, key)
    assert after.etag != before.etag and after.last_modified == DONE_AT
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(after.body).walk("VEVENT")}
    event = events.pop(f"task-{task_id}@guanai")
    assert str(event["SUMMARY"]).startswith(DONE_MARK)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "2026-09-10" in str(event["DESCRIPTION"])
    assert all(not str(e["SUMMARY"]).startswith(DONE_MARK) for e in events.values())
    assert all("STATUS" not in e for e in events.values())


def test_no_two_events_of_a_teachers_feed_share_a_title_and_a_day(engine, school):
    key = busiest_teacher(engine, school)
    with transaction(engine) as session:
        body = render_feed(feed_content(session, key, registry(), newest_change(session, key)))
    events = summaries(body)
    assert len(events) > 20
    repeated = [pair for pair, n in Counter(events).items() if n > 1]
    assert repeated == []
    talks = [title for title, _ in events if title.startswith("谈心")]
    # each child's talk names the child (masked) and the class: 谈心: … · 蔡**（一年级1班）
    assert talks and all(re.search(r" · .\*+（[^）]+）( · \d+)?$", t) for t in talks)
    assert len({t.split(" · ")[1] for t in talks}) > 1


def test_the_school_feed_names_the_new_year_holiday_once(engine, school):
    key = FeedKey("school", school, None, None, TERM, False)
    with transaction(engine) as session:
        body = render_feed(feed_content(session, key, registry(), newest_change(session, key)))
    events = summaries(body)
    assert len(events) == len(set(events))
    new_year = [t for t, _ in events if "元旦" in t and "联欢会" not in t]
    assert sorted(new_year) == ["放假: 元旦", "迎元旦活动"]


def test_each_task_links_to_its_phone_page_when_the_address_is_known(engine, school):
    key = busiest_teacher(engine, school)
    with transaction(engine) as session:
        newest = newest_change(session, key)
        linked = render_feed(feed_content(session, key, registry(), newest, BASE))
        bare = render_feed(feed_content(session, key, registry(), newest))
    urls = {
        str(e["UID"]): str(e["URL"]) for e in icalendar.Calendar.from_ical(linked).walk("VEVENT")
    }
    assert urls and all(
        url == f"https://guanai.school.cn/me/tasks/{uid.removeprefix('task-').split('@')[0]}"
        for uid, url in urls.items()
    )
    assert "URL" not in unfold(bare)
