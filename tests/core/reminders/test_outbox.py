"""Claims: a row is held by one dispatcher at a time; a claim whose lease ran out is taken
over (and marked as possibly delivered, a mark later failures keep); the one that lost it
cannot record a result."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from reminder_samples import SETTINGS, at
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from guanai.core.db import session_factory, transaction
from guanai.core.models import OutboxMessage
from guanai.core.reminders.outbox import (
    INTERRUPTED,
    LAST_ERROR_LENGTH,
    backoff,
    claim,
    list_outbox,
    mark_failed,
    mark_sent,
    marked,
    may_have_been_delivered,
    outbox_counts,
    release_claims,
)

NOW = at(date(2026, 9, 15), 8)
LEASE = timedelta(minutes=10)
CHANNELS = SETTINGS.reminders.channels


@pytest.fixture
def queued(planned: Engine, run_tick) -> Engine:  # type: ignore[no-untyped-def]
    run_tick(planned, NOW)
    return planned


def take_in(session: Session, worker: str, now: datetime = NOW, limit: int = 5) -> list[int]:
    return claim(
        session,
        worker=worker,
        now=now,
        wall_now=now,
        limit=limit,
        lease=LEASE,
        channels=CHANNELS,
    )


def take(engine: Engine, worker: str, now: datetime = NOW, limit: int = 5) -> list[int]:
    with transaction(engine) as session:
        return take_in(session, worker, now, limit)


def test_a_claimed_row_is_not_claimed_again_while_its_lease_holds(queued):
    first = take(queued, "a")
    second = take(queued, "b", NOW + LEASE - timedelta(seconds=1))
    assert first and second and not set(first) & set(second)


def test_an_expired_claim_is_taken_over_and_the_loser_cannot_record_it(queued):
    first = take(queued, "a", limit=1)
    later = NOW + LEASE + timedelta(seconds=1)
    assert take(queued, "b", later, limit=1) == first
    with transaction(queued) as session:
        row = session.get_one(OutboxMessage, first[0])
        assert (row.claimed_by, row.attempts, row.last_error) == ("b", 2, INTERRUPTED)
        assert not mark_sent(session, first[0], worker="a", now=later)
        assert mark_sent(session, first[0], worker="b", now=later)


def test_an_interrupted_row_stays_marked_when_its_retry_fails(queued):
    [row_id] = take(queued, "a", limit=1)
    later = NOW + LEASE + timedelta(seconds=1)
    assert take(queued, "b", later, limit=1) == [row_id]
    with transaction(queued) as session:
        assert mark_failed(
            session,
            row_id,
            worker="b",
            now=later,
            error="451 try again later",
            final=False,
            retry_at=later,
            possibly_delivered=False,
        )
        error = session.get_one(OutboxMessage, row_id).last_error
    assert error is not None and error.startswith("451 try again later (")
    assert may_have_been_delivered(error)


def test_a_possible_duplicate_is_told_by_its_mark_whatever_the_length_of_the_reason():
    assert INTERRUPTED == (
        "中断：上一次发送没有完成 / interrupted: the previous attempt did not finish"
        " (可能已送达 / may have been delivered)"
    )
    assert may_have_been_delivered(INTERRUPTED)
    # as rows marked before the mark was bilingual say it
    assert may_have_been_delivered(
        "interrupted: the previous attempt did not finish (may have been delivered)"
    )
    assert not may_have_been_delivered("ConnectionRefusedError: server down")
    assert not may_have_been_delivered(None)
    long = marked("x" * 1000)
    assert len(long) == LAST_ERROR_LENGTH == 500 and may_have_been_delivered(long)


def test_a_starting_daemon_on_sqlite_releases_what_a_dead_one_held(queued):
    held = take(queued, "dead")
    with transaction(queued) as session:
        assert release_claims(session) == len(held)
    assert take(queued, "new", limit=len(held)) == held


def test_a_daemon_restarted_under_its_name_takes_back_only_its_own_claims(queued):
    mine, theirs = take(queued, "supervised"), take(queued, "other")
    with transaction(queued) as session:
        assert release_claims(session, "supervised") == len(mine)
    again = take(queued, "supervised", limit=20)
    assert set(mine) <= set(again)
    assert theirs and not set(theirs) & set(again), "the other daemon's rows stay held"


def test_two_dispatchers_claiming_at_once_skip_each_others_rows(queued):
    if queued.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time; one daemon is enforced there instead")
    factory = session_factory(queued)
    with factory() as one, factory() as two, one.begin():
        mine = take_in(one, "a")
        with two.begin():  # while the first claim is still uncommitted
            theirs = take_in(two, "b")
    assert len(mine) == len(theirs) == 5 and not set(mine) & set(theirs)


def test_backoff_doubles_up_to_its_cap_and_is_spread_by_id():
    base, cap = timedelta(minutes=1), timedelta(hours=1)
    assert [backoff(n, base, cap, 10) for n in (1, 2, 3, 7, 12)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=1),
        timedelta(hours=1),
    ]
    assert backoff(1, base, cap, 19) == timedelta(minutes=1) * 1.45


def test_the_list_shows_titles_and_recipients_newest_first(queued):
    with transaction(queued) as session:
        rows = list_outbox(session, states=["pending"], limit=3)
        counts = outbox_counts(session)
        total = len(session.scalars(select(OutboxMessage.id)).all())
    assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True)
    assert all(r.title.zh.startswith("关爱") and r.recipient for r in rows)
    assert sum(counts.values()) == total
    assert {state for state, _ in counts} == {"pending"}
