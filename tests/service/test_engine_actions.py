"""EngineActions as each role: writing the term is the coordinator's, audited under them."""

from __future__ import annotations

from datetime import date

import pytest
from city import NAMES, World
from roster_samples import snapshot
from sqlalchemy import select

from guanai.core.access import AccessError
from guanai.core.db import transaction
from guanai.core.models import Activity, Task


def test_what_a_simulation_records_is_audited_under_the_account_that_ran_it(world: World):
    days = world.as_("coordinator").simulate(date(2026, 9, 21), date(2026, 9, 22), complete_share=1)
    assert sum(day.completed for day in days) > 0
    with transaction(world.engine) as session:
        by = set(session.scalars(select(Task.completed_by).where(Task.state == "done")))
        schools = set(
            session.scalars(
                select(Activity.school_id)
                .join(Task, Task.activity_id == Activity.id)
                .where(Task.state == "done")
            )
        )
    assert by == {NAMES["coordinator"]} and schools == {world.school_id("DEMO")}


@pytest.mark.parametrize("identity", ["teacher", "head_teacher", "bureau", "nobody"])
def test_only_a_coordinator_plans_ticks_simulates_or_makes_the_demo(world: World, identity: str):
    before = snapshot(world.engine)[1]
    service = world.as_(identity)
    for action in (
        lambda: service.plan(school_codes=("DEMO",)),
        lambda: service.preview_plan(school_codes=("DEMO",)),
        service.tick,
        lambda: service.simulate(date(2026, 9, 21), date(2026, 9, 22), complete_share=1),
        service.create_demo_school,
        service.init_database,
    ):
        with pytest.raises(AccessError):
            action()
    assert snapshot(world.engine)[1] == before


def test_another_schools_coordinator_may_not_plan_it_or_remake_its_demo(world: World):
    before = snapshot(world.engine)[1]
    other = world.as_("other_coordinator")
    with pytest.raises(AccessError, match="只能"):
        other.plan(school_codes=("DEMO",))
    with pytest.raises(AccessError, match="只能"):
        other.create_demo_school()
    assert snapshot(world.engine)[1] == before
    assert other.init_database()  # a coordinator upgrades the install's database
