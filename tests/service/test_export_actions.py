"""ExportActions: the roster export (coordinators) and the ledgers (coordinators, bureau)."""

from __future__ import annotations

from pathlib import Path

import pytest
from city import NAMES, World
from sqlalchemy import select

from guanai.core.access import AccessError
from guanai.core.db import transaction
from guanai.core.errors import GuanaiError
from guanai.core.models import AuditEvent


def _audited(world: World, action: str) -> list[tuple[str, dict]]:
    with transaction(world.engine) as session:
        return [
            (event.actor, event.detail)
            for event in session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        ]


def test_the_coordinator_exports_their_schools_roster_audited_under_them(
    world: World, tmp_path: Path
):
    totals = []
    summary = world.as_("coordinator").export_roster(
        tmp_path / "roster.xlsx", started=lambda total: totals.append(total) or (lambda n: None)
    )
    assert summary.rows == totals[0] == 30 and not summary.contacts
    [(actor, detail)] = _audited(world, "export")
    assert actor == NAMES["coordinator"] and detail["rows"] == 30


@pytest.mark.parametrize(
    "identity", ["teacher", "head_teacher", "bureau", "other_coordinator", "nobody"]
)
def test_only_the_schools_coordinator_exports_its_roster(
    world: World, tmp_path: Path, identity: str
):
    path = tmp_path / "roster.xlsx"
    with pytest.raises(AccessError):
        world.as_(identity).export_roster(path, school_code="DEMO")
    assert not path.exists() and not _audited(world, "export")


def test_the_bureau_writes_a_schools_ledger_and_another_school_may_not(
    world: World, tmp_path: Path
):
    summary = world.as_("bureau").ledger(tmp_path / "ledger.xlsx", school_code="DEMO")
    assert summary.school_ids == (world.school_id("DEMO"),)
    assert [actor for actor, _ in _audited(world, "ledger")] == [NAMES["bureau"]]
    with pytest.raises(AccessError):
        world.as_("other_coordinator").ledger(tmp_path / "other.xlsx", school_code="DEMO")
    with pytest.raises(AccessError):
        world.as_("teacher").ledger(tmp_path / "teacher.xlsx")


def test_a_file_that_is_not_xlsx_or_a_short_password_is_refused_before_anything(
    world: World, tmp_path: Path
):
    coordinator = world.as_("coordinator")
    with pytest.raises(GuanaiError, match=r"\.xlsx"):
        coordinator.export_roster(tmp_path / "roster.csv")
    with pytest.raises(GuanaiError, match="6"):
        coordinator.ledger(tmp_path / "ledger.xlsx", password="abc")
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob("*.csv"))
