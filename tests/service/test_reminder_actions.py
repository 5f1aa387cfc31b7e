"""ReminderActions: the outbox listed, counted and retried, a bound coordinator's school only."""

from __future__ import annotations

import pytest
from city import NAMES, World
from roster_samples import snapshot
from sqlalchemy import select, update

from guanai.core.access import AccessError
from guanai.core.db import transaction
from guanai.core.models import AuditEvent, OutboxMessage
from guanai.core.reminders.outbox import FAILED, PENDING


def _fail_everything(world: World) -> dict[int, int]:
    """Mark every reminder failed; each one's school by id."""
    with transaction(world.engine) as session:
        session.execute(update(OutboxMessage).values(state=FAILED, last_error="refused"))
        return dict(
            (row.id, row.school_id)
            for row in session.execute(select(OutboxMessage.id, OutboxMessage.school_id))
        )


def test_each_coordinator_lists_and_counts_their_own_schools_reminders(world: World):
    schools = _fail_everything(world)
    demo, other = world.school_id("DEMO"), world.school_id("OTHER")
    assert {demo, other} <= set(schools.values())
    for identity, school in (("coordinator", demo), ("other_coordinator", other)):
        service = world.as_(identity)
        listed = service.outbox(states=[FAILED], limit=500)
        assert {row.id for row in listed} == {i for i, s in schools.items() if s == school}
        counts = service.outbox_counts()
        assert sum(counts.values()) == len(listed)


def test_a_retry_requeues_only_the_coordinators_school_audited_under_them(world: World):
    schools = _fail_everything(world)
    other = world.school_id("OTHER")
    theirs = {i for i, s in schools.items() if s == other}
    demo_one = next(i for i, s in schools.items() if s != other)
    assert world.as_("other_coordinator").retry_outbox([demo_one, *theirs]) == len(theirs)
    assert world.as_("other_coordinator").retry_outbox(None) == 0
    with transaction(world.engine) as session:
        pending = set(
            session.scalars(select(OutboxMessage.id).where(OutboxMessage.state == PENDING))
        )
        actors = set(
            session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "outbox-retry"))
        )
    assert pending == theirs and actors == {NAMES["other_coordinator"]}


@pytest.mark.parametrize("identity", ["teacher", "head_teacher", "bureau", "nobody"])
def test_only_coordinators_read_or_retry_the_outbox(world: World, identity: str):
    _fail_everything(world)
    before = snapshot(world.engine)[1]
    service = world.as_(identity)
    for read in (service.outbox, service.outbox_counts):
        with pytest.raises(AccessError):
            read()
    with pytest.raises(AccessError):
        service.retry_outbox(None)
    assert snapshot(world.engine)[1] == before
