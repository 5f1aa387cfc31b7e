"""RepairActions as each role: finding and repairing stuck tasks is the coordinator's, for
their own school, audited under them; every other account is refused and nothing changes."""

from __future__ import annotations

import pytest
from city import NAMES, World
from roster_samples import snapshot
from sqlalchemy import select
from stuck_tasks import RECORDED_BY, complete_talks, write_over_done

from guanai.core.access import AccessError
from guanai.core.db import transaction
from guanai.core.models import AuditEvent, Task


@pytest.fixture
def stuck(world: World) -> dict[str, int]:
    """One stuck talk in each school, by school code."""
    tasks = {
        code: complete_talks(world.engine, world.pm.activity_registry(), 1, world.school_id(code))[
            0
        ]
        for code in ("DEMO", "OTHER")
    }
    write_over_done(world.engine, {task: "overdue" for task in tasks.values()})
    return tasks


def test_the_coordinator_lists_then_repairs_their_schools_stuck_tasks(
    world: World, stuck: dict[str, int]
):
    coordinator = world.as_("coordinator")
    [listed] = coordinator.stuck_tasks()
    assert (listed.task_id, listed.state) == (stuck["DEMO"], "overdue")
    assert coordinator.repair() == [listed]
    assert coordinator.stuck_tasks() == [] and coordinator.repair() == []
    with transaction(world.engine) as session:
        states = dict(session.execute(select(Task.id, Task.state)).all())
        audit = session.execute(
            select(AuditEvent.entity_id, AuditEvent.actor).where(AuditEvent.action == "repair")
        ).all()
        by = session.get_one(Task, stuck["DEMO"]).completed_by
    assert (states[stuck["DEMO"]], states[stuck["OTHER"]]) == ("done", "overdue")
    assert audit == [(stuck["DEMO"], NAMES["coordinator"])] and by == RECORDED_BY
    assert world.as_("other_coordinator").stuck_task_counts() == {"OTHER": 1}


def test_every_other_role_is_refused_and_nothing_changes(world: World, stuck: dict[str, int]):
    before = snapshot(world.engine)[1]
    for identity in ("teacher", "head_teacher", "bureau", "nobody"):
        service = world.as_(identity)
        for action in (service.stuck_tasks, service.repair):
            with pytest.raises(AccessError):
                action("DEMO")
    assert snapshot(world.engine)[1] == before


def test_another_schools_coordinator_may_not_list_or_repair_it(world: World, stuck: dict[str, int]):
    before = snapshot(world.engine)[1]
    other = world.as_("other_coordinator")
    for action in (other.stuck_tasks, other.repair):
        with pytest.raises(AccessError, match="只能"):
            action("DEMO")
    assert snapshot(world.engine)[1] == before
    assert [task.task_id for task in other.repair()] == [stuck["OTHER"]]
