"""A feed's version is kept by the database: a cached request is one query whatever the
school's size, and every change to what a feed shows (a completion, a reassignment, a rename,
a re-plan) changes its ETag, in every worker's cache."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from feed_samples import PLANNED, REPLANNED, TERM, plan, registry, unfold
from sqlalchemy import Engine, event, func, select, update
from sqlalchemy.orm import Session

from guanai.core.calendar import load_calendar, parse_calendar
from guanai.core.db import session_factory, transaction
from guanai.core.demo import create_demo_school
from guanai.core.feeds.cache import FeedCache, RenderedFeed
from guanai.core.feeds.tokens import find_active, issue_feed, revoke_feed
from guanai.core.masking import mask_name
from guanai.core.models import (
    Activity,
    Child,
    School,
    SchoolClass,
    Task,
    TaskState,
    Teacher,
)

DONE_AT = datetime(2026, 9, 10, 2, 0, tzinfo=UTC)
UNISSUED = "x" * 43


def _school(engine: Engine, children: int) -> int:
    with transaction(engine) as session:
        school_id = create_demo_school(session, children=children)
        plan(session, load_calendar(TERM), PLANNED)
    return school_id


@pytest.fixture
def school(engine: Engine) -> int:
    return _school(engine, 60)


def _busiest_teacher(session: Session, school: int) -> int:
    return session.execute(
        select(Task.assignee_id)
        .join(Activity, Activity.id == Task.activity_id)
        .where(Activity.school_id == school, Task.child_id.is_not(None))
        .group_by(Task.assignee_id)
        .order_by(func.count().desc(), Task.assignee_id)
        .limit(1)
    ).scalar_one()


def _token(engine: Engine, school: int, scope: str, **ids: int) -> str:
    with transaction(engine) as session:
        issued = issue_feed(
            session,
            scope=scope,
            school_id=school,
            term_key=TERM,
            label=scope,
            actor="test",
            now=PLANNED,
            **ids,
        )
    return issued.token


def _teacher_token(engine: Engine, school: int) -> tuple[int, str]:
    with transaction(engine) as session:
        teacher = _busiest_teacher(session, school)
    return teacher, _token(engine, school, "teacher", teacher_id=teacher)


def _fetch(engine: Engine, cache: FeedCache, token: str) -> RenderedFeed | None:
    """A feed request as the web server makes it: its own session and transaction."""
    with session_factory(engine)() as session, session.begin():
        return cache.feed_for(session, token)


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """The queries run on ``engine`` in the block (the BEGIN guanai issues on SQLite left out)."""
    seen: list[str] = []

    def record(*args: object) -> None:  # conn, cursor, statement, parameters, …
        if str(args[2]) != "BEGIN":
            seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _complete_first_task(engine: Engine, teacher: int) -> int:
    with transaction(engine) as session:
        task_id = session.scalars(
            select(Task.id).where(Task.assignee_id == teacher).order_by(Task.id).limit(1)
        ).one()
        session.execute(
            update(Task)
            .where(Task.id == task_id)
            .values(state=TaskState.DONE.value, completed_at=DONE_AT, changed_at=DONE_AT)
        )
    return task_id


@pytest.mark.parametrize("children", [20, 300])
def test_a_cached_feed_request_is_one_statement_whatever_the_schools_size(
    engine: Engine, children: int
) -> None:
    school = _school(engine, children)
    _, teacher_token = _teacher_token(engine, school)
    school_token = _token(engine, school, "school")
    cache = FeedCache(registry())
    for token in (teacher_token, school_token):
        first = _fetch(engine, cache, token)
        with _statements(engine) as seen:
            again = _fetch(engine, cache, token)
        assert again is first and len(seen) == 1, seen
    assert cache.renders == 2


def test_unknown_and_revoked_tokens_run_the_same_one_statement(engine: Engine, school: int) -> None:
    _, token = _teacher_token(engine, school)
    with transaction(engine) as session:
        live = find_active(session, token)
        assert live is not None
        revoke_feed(session, live.id, REPLANNED)
    cache = FeedCache(registry())
    with _statements(engine) as revoked:
        assert _fetch(engine, cache, token) is None
    with _statements(engine) as unknown:
        assert _fetch(engine, cache, UNISSUED) is None
    assert len(revoked) == 1 and revoked == unknown
    assert cache.renders == 0


def test_a_completion_changes_the_etag_in_every_workers_cache(engine: Engine, school: int) -> None:
    teacher, token = _teacher_token(engine, school)
    workers = [FeedCache(registry()), FeedCache(registry())]
    before = [_fetch(engine, cache, token) for cache in workers]
    assert before[0] is not None and before[0].etag == before[1].etag  # type: ignore[union-attr]

    _complete_first_task(engine, teacher)

    after = [_fetch(engine, cache, token) for cache in workers]
    assert after[0] is not None and after[1] is not None
    assert after[0].etag == after[1].etag != before[0].etag  # type: ignore[union-attr]
    assert after[0].last_modified == DONE_AT
    assert all(cache.renders == 2 for cache in workers)


def test_another_teachers_work_leaves_a_feed_cached(engine: Engine, school: int) -> None:
    teacher, token = _teacher_token(engine, school)
    with transaction(engine) as session:
        other = session.scalars(
            select(Task.assignee_id).where(
                Task.assignee_id.is_not(None), Task.assignee_id != teacher
            )
        ).first()
    assert other is not None
    cache = FeedCache(registry())
    first = _fetch(engine, cache, token)

    _complete_first_task(engine, other)

    assert _fetch(engine, cache, token) is first and cache.renders == 1


def test_a_reassigned_task_leaves_one_feed_and_joins_the_other(engine: Engine, school: int) -> None:
    teacher, token = _teacher_token(engine, school)
    with transaction(engine) as session:
        task = session.scalars(
            select(Task).where(Task.assignee_id == teacher).order_by(Task.id).limit(1)
        ).one()
        other = session.scalars(
            select(Teacher.id).where(Teacher.school_id == school, Teacher.id != teacher)
        ).first()
        task_id = task.id
    assert other is not None
    other_token = _token(engine, school, "teacher", teacher_id=other)
    cache = FeedCache(registry())
    mine, theirs = _fetch(engine, cache, token), _fetch(engine, cache, other_token)
    uid = f"UID:task-{task_id}@guanai"
    assert mine is not None and theirs is not None and uid in unfold(mine.body)
    assert uid not in unfold(theirs.body)

    with transaction(engine) as session:
        session.execute(update(Task).where(Task.id == task_id).values(assignee_id=other))

    mine, theirs = _fetch(engine, cache, token), _fetch(engine, cache, other_token)
    assert mine is not None and theirs is not None
    assert uid not in unfold(mine.body) and uid in unfold(theirs.body)


def _rename_child(session: Session, teacher: int) -> str:
    child = session.scalars(
        select(Child)
        .join(Task, Task.child_id == Child.id)
        .where(Task.assignee_id == teacher)
        .limit(1)
    ).one()
    child.name = "欧阳" + child.name
    return mask_name(child.name)


def _rename_class(session: Session, teacher: int) -> str:
    school_class = session.scalars(
        select(SchoolClass)
        .join(Task, Task.class_id == SchoolClass.id)
        .where(Task.assignee_id == teacher)
        .limit(1)
    ).one()
    school_class.name = "启航班"
    return "启航班"


def _rename_teacher(session: Session, teacher: int) -> str:
    session.get_one(Teacher, teacher).name = "欧阳明"
    return "关爱·欧阳明的任务"


@pytest.mark.parametrize("rename", [_rename_child, _rename_class, _rename_teacher])
def test_a_rename_changes_the_teachers_feed(
    engine: Engine, school: int, rename: Callable[[Session, int], str]
) -> None:
    teacher, token = _teacher_token(engine, school)
    cache = FeedCache(registry())
    before = _fetch(engine, cache, token)
    with transaction(engine) as session:
        shown = rename(session, teacher)
    assert before is not None and shown not in unfold(before.body)

    after = _fetch(engine, cache, token)

    assert after is not None and after.etag != before.etag and shown in unfold(after.body)


def test_the_school_feed_follows_the_schools_name_and_its_calendar(
    engine: Engine, school: int
) -> None:
    token = _token(engine, school, "school")
    cache = FeedCache(registry())
    first = _fetch(engine, cache, token)
    with transaction(engine) as session:
        session.get_one(School, school).name = "关爱第二小学"
    renamed = _fetch(engine, cache, token)
    assert first is not None and renamed is not None and renamed.etag != first.etag
    assert "关爱·关爱第二小学" in unfold(renamed.body)

    calendar = load_calendar(TERM)
    assert calendar.text.count('name = "迎元旦活动"') == 1
    with transaction(engine) as session:  # the period renamed: no task changes
        plan(
            session,
            parse_calendar(calendar.text.replace("迎元旦活动", "迎新年活动"), calendar.source),
            REPLANNED,
        )

    replanned = _fetch(engine, cache, token)
    assert replanned is not None and replanned.etag != renamed.etag
    assert "SUMMARY:迎新年活动" in unfold(replanned.body)
