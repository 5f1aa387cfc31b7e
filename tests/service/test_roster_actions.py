"""RosterActions: importing a roster, one child's card, editing a child's record."""

from __future__ import annotations

from pathlib import Path

import pytest
from city import NAMES, World
from roster_samples import add_school, child, snapshot, write_roster
from sqlalchemy import select

from guanai.core.access import AccessError
from guanai.core.db import transaction
from guanai.core.errors import GuanaiError
from guanai.core.models import Child, RecordChange
from guanai.core.roster.importer import RosterRejected


@pytest.fixture
def s1(world: World) -> World:
    """School S1 (the roster samples' classes and teachers) with a coordinator of its own."""
    with transaction(world.engine) as session:
        add_school(session)
    world.as_("coordinator").add_account("S1关爱办", "coordinator", school_code="S1")
    return world


def test_a_coordinator_imports_a_roster_into_their_school(s1: World, tmp_path: Path):
    roster = write_roster(tmp_path / "roster.xlsx", [child(n) for n in range(1, 6)])
    phases = []
    report = s1.as_("S1关爱办").import_roster(
        roster, progress=lambda phase, done, total: phases.append(phase.en)
    )
    assert (report.rows, report.created, report.written) == (5, 5, True)
    assert {"checking", "writing"} <= set(phases)
    with transaction(s1.engine) as session:
        authors = set(session.scalars(select(RecordChange.changed_by)))
    assert authors == {"S1关爱办"}


@pytest.mark.parametrize("identity", ["teacher", "head_teacher", "bureau", "nobody"])
def test_only_a_coordinator_imports_and_a_refusal_writes_nothing(
    s1: World, tmp_path: Path, identity: str
):
    roster = write_roster(tmp_path / "roster.xlsx", [child(1)])
    before = snapshot(s1.engine)[1]
    with pytest.raises(AccessError):
        s1.as_(identity).import_roster(roster, school_code="S1")
    assert snapshot(s1.engine)[1] == before


def test_a_coordinator_of_another_school_may_not_import_into_it(s1: World, tmp_path: Path):
    roster = write_roster(tmp_path / "roster.xlsx", [child(1)])
    with pytest.raises(AccessError, match="只能"):
        s1.as_("other_coordinator").import_roster(roster, school_code="S1")


def test_a_rejected_roster_writes_nothing_and_the_rejects_file_cannot_be_the_roster(
    s1: World, tmp_path: Path
):
    roster = write_roster(tmp_path / "roster.csv", [child(1), child(2, **{"child.name": ""})])
    service = s1.as_("S1关爱办")
    before = snapshot(s1.engine)[1]
    with pytest.raises(RosterRejected):
        service.import_roster(roster)
    with pytest.raises(GuanaiError, match="--rejects"):
        service.import_roster(roster, valid_only=True, rejects=roster)
    assert snapshot(s1.engine)[1] == before


def test_a_childs_card_is_masked_for_the_bureau_and_refused_to_another_school(world: World):
    full = world.as_("coordinator").child_card(world.stranger_no)
    assert not full.masked and full.student_no == world.stranger_no
    assert world.as_("bureau").child_card(world.stranger_no, "DEMO").masked
    assert world.as_("teacher").child_card(world.stranger_no).masked
    with pytest.raises(AccessError):
        world.as_("other_coordinator").child_card(world.stranger_no, "DEMO")


def test_a_head_teacher_edits_their_own_pupils_record_and_no_one_elses(world: World):
    head = world.as_("head_teacher")
    summary = head.edit_child(world.head_class_no, {"备注": "已核实"})
    assert summary.changes == 1
    with pytest.raises(AccessError, match="只能修改"):
        head.edit_child(world.stranger_no, {"备注": "已核实"})
    with transaction(world.engine) as session:
        by = session.execute(
            select(RecordChange.changed_by, RecordChange.source)
            .join(Child, Child.id == RecordChange.child_id)
            .where(Child.student_no == world.head_class_no, RecordChange.field == "child.notes")
        ).one()
    assert tuple(by) == (NAMES["head_teacher"], "guanai child set")


@pytest.mark.parametrize("identity", ["teacher", "bureau", "other_coordinator"])
def test_teachers_the_bureau_and_other_schools_may_not_edit_a_child(world: World, identity: str):
    before = snapshot(world.engine)[1]
    with pytest.raises(AccessError):
        world.as_(identity).edit_child(world.stranger_no, {"备注": "x"}, school_code="DEMO")
    assert snapshot(world.engine)[1] == before
