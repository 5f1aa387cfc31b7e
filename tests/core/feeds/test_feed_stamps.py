"""A school's feed stamp: bumped by the database, in the writing transaction, by every change
that can alter one of the school's feeds; and a live feed served from cache while it holds,
with one query whatever the size of the school."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from feed_samples import PLANNED, TERM, plan, registry
from sqlalchemy import Engine, Select, delete, event, select, update
from sqlalchemy.orm import Session

from guanai.core.calendar import load_calendar
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.feeds.cache import FeedCache, RenderedFeed
from guanai.core.feeds.scope import FeedKey
from guanai.core.feeds.stamps import school_stamp
from guanai.core.feeds.tokens import find_live, issue_feed, revoke_feed
from guanai.core.models import Child, School, SchoolClass, Task, TaskState, Teacher, Term

NOW = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.fixture
def schools(engine: Engine) -> tuple[int, int]:
    """Two planned demo schools: a change in one must leave the other's stamp alone."""
    with transaction(engine) as session:
        first = create_demo_school(session, children=30)
        second = create_demo_school(session, children=30, code="DEMO2", name="第二小学", seed=7)
        plan(session, load_calendar(TERM), PLANNED)
    return first, second


def stamps(engine: Engine, *school_ids: int) -> list[int]:
    with transaction(engine) as session:
        return [school_stamp(session, school_id) for school_id in school_ids]


def first_task(session: Session, school_id: int) -> Task:
    return session.scalars(
        select(Task).where(Task.child_id.in_(children_of(school_id))).order_by(Task.id).limit(1)
    ).one()


def children_of(school_id: int) -> Select[tuple[int]]:
    return select(Child.id).where(Child.school_id == school_id)


def complete_one(session: Session, school_id: int) -> None:
    task = first_task(session, school_id)
    task.state, task.completed_at, task.changed_at = TaskState.DONE.value, NOW, NOW


def cancel_all_talks(session: Session, school_id: int) -> None:
    session.execute(
        update(Task)
        .where(Task.child_id.in_(children_of(school_id)))
        .values(state=TaskState.CANCELLED.value)
    )


def delete_one(session: Session, school_id: int) -> None:
    session.delete(first_task(session, school_id))


def rename_child(session: Session, school_id: int) -> None:
    child = session.scalars(select(Child).where(Child.school_id == school_id).limit(1)).one()
    child.name = "欧阳" + child.name[1:]


def move_child(session: Session, school_id: int) -> None:
    child = session.scalars(select(Child).where(Child.school_id == school_id).limit(1)).one()
    child.class_id = session.scalars(
        select(SchoolClass.id).where(
            SchoolClass.school_id == school_id, SchoolClass.id != child.class_id
        )
    ).first()


def rename_class(session: Session, school_id: int) -> None:
    school_class = session.scalars(
        select(SchoolClass).where(SchoolClass.school_id == school_id).limit(1)
    ).one()
    school_class.name += "（实验）"


def rename_teacher(session: Session, school_id: int) -> None:
    teacher = session.scalars(select(Teacher).where(Teacher.school_id == school_id).limit(1)).one()
    teacher.name += "新"


def rename_school(session: Session, school_id: int) -> None:
    session.get_one(School, school_id).name += "（新址）"


CHANGES: dict[str, Callable[[Session, int], None]] = {
    "a task completed": complete_one,
    "many tasks updated in one statement": cancel_all_talks,
    "a task deleted": delete_one,
    "a child renamed": rename_child,
    "a child moved to another class": move_child,
    "a class renamed": rename_class,
    "a teacher renamed": rename_teacher,
    "the school renamed": rename_school,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_that_can_alter_a_feed_moves_its_schools_stamp_only(
    engine: Engine, schools: tuple[int, int], change: Callable[[Session, int], None]
) -> None:
    first, second = schools
    before = stamps(engine, first, second)
    with transaction(engine) as session:
        change(session, first)
    after = stamps(engine, first, second)
    assert after[0] > before[0]
    assert after[1] == before[1]


def test_planning_inserts_move_the_stamp_and_a_term_change_moves_every_school(
    engine: Engine, schools: tuple[int, int]
) -> None:
    assert all(stamp > 0 for stamp in stamps(engine, *schools))  # planning wrote their tasks
    before = stamps(engine, *schools)
    with transaction(engine) as session:
        session.scalars(select(Term)).one().planned_at = NOW
    assert all(a > b for a, b in zip(stamps(engine, *schools), before, strict=True))


def test_a_change_no_feed_shows_leaves_the_stamp_alone(
    engine: Engine, schools: tuple[int, int]
) -> None:
    first, _ = schools
    before = stamps(engine, first)
    with transaction(engine) as session:
        session.execute(
            update(Child).where(Child.school_id == first).values(notes="家访时说明情况")
        )
        teacher = session.scalars(select(Teacher).where(Teacher.school_id == first)).first()
        assert teacher is not None
        teacher.name = teacher.name  # written with its own value: not a rename
    assert stamps(engine, first) == before


def test_a_rolled_back_change_leaves_the_stamp_as_it_was(
    engine: Engine, schools: tuple[int, int]
) -> None:
    first, _ = schools
    before = stamps(engine, first)
    with pytest.raises(RuntimeError), transaction(engine) as session:
        rename_child(session, first)
        session.flush()
        raise RuntimeError("the import failed halfway")
    assert stamps(engine, first) == before


def test_on_postgresql_one_statement_moves_the_stamp_once(
    engine: Engine, schools: tuple[int, int]
) -> None:
    """Per statement, not per row: a plan's batched INSERT of thousands of tasks costs one
    bump per school (SQLite has only row triggers and bumps once per row)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("statement-level triggers are PostgreSQL's")
    first, _ = schools
    before = stamps(engine, first)[0]
    with transaction(engine) as session:
        cancelled = session.execute(
            update(Task)
            .where(Task.child_id.in_(children_of(first)))
            .values(state=TaskState.CANCELLED.value)
        ).rowcount
        session.execute(delete(Task).where(Task.child_id.in_(children_of(first))))
    assert cancelled > 100
    assert stamps(engine, first)[0] == before + 2


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on ``engine`` meanwhile."""
    seen: list[str] = []

    def record(*args: Any) -> None:  # (conn, cursor, statement, parameters, context, many)
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def issue_school_feed(engine: Engine, school_id: int) -> tuple[int, str]:
    with transaction(engine) as session:
        issued = issue_feed(
            session,
            scope="school",
            school_id=school_id,
            term_key=TERM,
            label="全校",
            actor="test",
            now=NOW,
        )
        return issued.subscription.id, issued.token


def served(engine: Engine, cache: FeedCache, token: str) -> RenderedFeed | None:
    """What ``guanai serve`` answers ``token`` with: the token's feed and stamp read on a
    connection, the cached rendering while the stamp holds, else one rendered again."""
    with engine.connect() as connection:
        live = find_live(connection, token)
    if live is None:
        return None
    fresh = cache.fresh(live)
    if fresh is not None:
        return fresh
    with transaction(engine) as session:
        return cache.lookup(session, live.key)


def query_count(engine: Engine, cache: FeedCache, token: str) -> int:
    """The queries (not the BEGIN SQLite's connections start with) of serving ``token``."""
    with statements(engine) as seen:
        served(engine, cache, token)
    return sum(1 for statement in seen if statement.lstrip().upper().startswith("SELECT"))


def test_a_cached_feed_is_one_query_and_a_change_renders_it_again(
    engine: Engine, schools: tuple[int, int]
) -> None:
    first, _ = schools
    _, token = issue_school_feed(engine, first)
    cache = FeedCache(registry())
    rendered = served(engine, cache, token)
    assert query_count(engine, cache, token) == 1
    assert served(engine, cache, token) is rendered
    assert cache.renders == 1
    with transaction(engine) as session:
        rename_school(session, first)
    renamed = served(engine, cache, token)
    assert cache.renders == 2 and renamed is not None and rendered is not None
    assert "（新址）".encode() in renamed.body and "（新址）".encode() not in rendered.body


def test_a_change_elsewhere_in_the_school_renders_again_to_the_same_etag(
    engine: Engine, schools: tuple[int, int]
) -> None:
    """The school feed holds school-wide tasks only: a child's talk done changes the stamp,
    not the feed's bytes, so its clients keep getting 304."""
    first, _ = schools
    _, token = issue_school_feed(engine, first)
    cache = FeedCache(registry())
    before = served(engine, cache, token)
    with transaction(engine) as session:
        complete_one(session, first)
    after = served(engine, cache, token)
    assert before is not None and after is not None
    assert cache.renders == 2 and after.etag == before.etag


def test_a_revoked_token_reads_what_an_unknown_one_does(
    engine: Engine, schools: tuple[int, int]
) -> None:
    first, _ = schools
    subscription_id, token = issue_school_feed(engine, first)
    with transaction(engine) as session:
        revoke_feed(session, subscription_id, NOW)
    cache = FeedCache(registry())
    unknown = "x" * len(token)
    with statements(engine) as revoked_sql:
        assert served(engine, cache, token) is None
    with statements(engine) as unknown_sql:
        assert served(engine, cache, unknown) is None
    assert revoked_sql == unknown_sql and cache.renders == 0


def test_export_reads_the_stamp_itself(engine: Engine, schools: tuple[int, int]) -> None:
    first, _ = schools
    cache = FeedCache(registry())
    key = FeedKey("school", first, None, None, TERM, False)
    with transaction(engine) as session:
        before = cache.lookup(session, key)
        assert cache.lookup(session, key) is before
        rename_school(session, first)
        session.flush()
        assert b"\xef\xbc\x88\xe6\x96\xb0\xe5\x9d\x80" in cache.lookup(session, key).body
