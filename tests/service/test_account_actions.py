"""AccountActions: who is acting, and coordinators adding, removing and listing accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from city import NAMES, World

from guanai.core.access import AccessError
from guanai.core.config import Settings
from guanai.core.pm import build_plugin_manager
from guanai.service import Guanai


def test_a_database_not_yet_created_has_one_user_the_coordinator(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/later.db"
    service = Guanai(Settings(database_url=url), build_plugin_manager(False), "anyone")
    try:
        assert service.identify().role == "coordinator"
    finally:
        service.close()
    assert not (tmp_path / "later.db").exists()


def test_an_unknown_name_is_refused_once_accounts_exist(world: World):
    assert world.as_("bureau").identify().role == "bureau"
    with pytest.raises(AccessError, match="没有账号"):
        world.as_("nobody").identify()


def test_a_coordinator_adds_lists_and_removes_accounts(world: World):
    other = world.as_("other_coordinator")
    added = other.add_account("新老师", "教育局")
    assert (added.role, added.school_code) == ("bureau", None)
    listed = {row.name: row for row in other.accounts()}
    assert set(NAMES.values()) - {NAMES["nobody"]} | {"新老师"} == set(listed)
    assert listed[NAMES["teacher"]].teacher_code == world.teacher_code
    other.remove_account("新老师")
    assert "新老师" not in {row.name for row in other.accounts()}


@pytest.mark.parametrize("identity", ["teacher", "head_teacher", "bureau", "nobody"])
def test_only_coordinators_manage_accounts(world: World, identity: str):
    service = world.as_(identity)
    with pytest.raises(AccessError):
        service.accounts()
    with pytest.raises(AccessError):
        service.add_account("新老师", "bureau")
    with pytest.raises(AccessError):
        service.remove_account(NAMES["teacher"])
    assert "新老师" not in {row.name for row in world.as_("coordinator").accounts()}


@pytest.mark.parametrize(
    ("name", "reason"),
    [("王\x1b]0;pwned\x07五", "U\\+001B"), ("王\n五", "一行"), ("", "1–100"), ("王" * 101, "1–100")],
)
def test_an_account_name_is_one_line_of_printable_text(world: World, name: str, reason: str):
    coordinator = world.as_("coordinator")
    with pytest.raises(AccessError, match=reason):
        coordinator.add_account(name, "bureau")
    assert name not in {row.name for row in coordinator.accounts()}
