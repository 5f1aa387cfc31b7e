"""PairingActions: auto-pairing, one child's pairing, the current pairings masked per viewer."""

from __future__ import annotations

import pytest
from city import World
from roster_samples import snapshot
from sqlalchemy import select

from guanai.core.access import AccessError
from guanai.core.db import transaction
from guanai.core.masking import mask_name
from guanai.core.models import Child, Pairing, Teacher


def _names(world: World) -> dict[str, str]:
    school = world.school_id("DEMO")
    with transaction(world.engine) as session:
        query = select(Child.student_no, Child.name).where(Child.school_id == school)
        return {number: name for number, name in session.execute(query)}


def test_the_coordinator_sees_every_pairing_with_names(world: World):
    rows = world.as_("coordinator").pairings()
    names = _names(world)
    assert rows and all(row.name == names[row.student_no] for row in rows)
    buddies = [row for row in rows if row.buddy_no is not None]
    assert buddies and all(row.buddy_name == names[row.buddy_no] for row in buddies)


def test_the_bureau_sees_every_name_masked(world: World):
    names = _names(world)
    rows = world.as_("bureau").pairings("DEMO")
    assert rows and all(row.name == mask_name(names[row.student_no]) for row in rows)


def test_a_teacher_sees_their_own_childrens_names_and_the_others_masked(world: World):
    names = _names(world)
    rows = world.as_("teacher").pairings()
    mine = [row for row in rows if row.teacher_code == world.teacher_code]
    others = [row for row in rows if row.teacher_code != world.teacher_code]
    assert mine and others
    assert all(row.name == names[row.student_no] for row in mine)
    assert all(row.name == mask_name(names[row.student_no]) for row in others)
    only = world.as_("teacher").pairings(teacher_code=world.teacher_code)
    assert [row.student_no for row in only] == [row.student_no for row in mine]


def test_another_schools_coordinator_may_not_list_its_pairings(world: World):
    with pytest.raises(AccessError):
        world.as_("other_coordinator").pairings("DEMO")


def test_the_coordinator_changes_one_childs_pairing_and_it_is_audited(world: World):
    change = world.as_("coordinator").set_pairing(world.stranger_no, world.teacher_code)
    assert change.changed and change.teacher_after == world.teacher_code
    with transaction(world.engine) as session:
        current = session.execute(
            select(Teacher.code)
            .join(Pairing, Pairing.teacher_id == Teacher.id)
            .join(Child, Child.id == Pairing.child_id)
            .where(Child.student_no == world.stranger_no, Pairing.ended_on.is_(None))
        ).scalar_one()
    assert current == world.teacher_code
    again = world.as_("coordinator").set_pairing(world.stranger_no, world.teacher_code)
    assert not again.changed


def test_a_buddy_off_the_roster_is_seen_as_the_paired_child_is(world: World):
    world.as_("coordinator").set_pairing(world.stranger_no, buddy_name="王小红")
    listed = {row.student_no: row for row in world.as_("coordinator").pairings()}
    assert (listed[world.stranger_no].buddy_no, listed[world.stranger_no].buddy_name) == (
        None,
        "王小红",
    )
    for role in ("bureau", "teacher"):  # the stranger is not the teacher's child
        rows = {row.student_no: row for row in world.as_(role).pairings("DEMO")}
        assert rows[world.stranger_no].buddy_name == mask_name("王小红")


def test_auto_pairing_runs_for_the_coordinators_school(world: World):
    report = world.as_("coordinator").pair_automatically()
    assert report.school_id == world.school_id("DEMO")


def test_the_cap_is_the_setting_unless_one_run_gives_its_own(world: World):
    service = world.as_("coordinator")
    setting = service.settings.pairing.max_children_per_teacher
    assert service.preview_pairing().cap == setting
    assert service.preview_pairing(max_per_teacher=3).cap == 3
    loads = service.pairing_loads()
    assert loads and {load.cap for load in loads} == {setting}


@pytest.mark.parametrize(
    "identity", ["teacher", "head_teacher", "bureau", "other_coordinator", "nobody"]
)
def test_only_the_schools_coordinator_pairs_and_a_refusal_writes_nothing(
    world: World, identity: str
):
    before = snapshot(world.engine)[1]
    service = world.as_(identity)
    with pytest.raises(AccessError):
        service.set_pairing(world.stranger_no, world.teacher_code, school_code="DEMO")
    with pytest.raises(AccessError):
        service.pair_automatically(school_code="DEMO")
    with pytest.raises(AccessError):
        service.preview_pairing(school_code="DEMO")
    with pytest.raises(AccessError):
        service.pairing_loads(school_code="DEMO")
    assert snapshot(world.engine)[1] == before
