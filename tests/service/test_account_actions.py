"""AccountActions: who is acting, and coordinators adding, removing and listing accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from city import NAMES, World
from sqlalchemy import Engine

from guanai.core.access import AccessError
from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.errors import NotFoundError
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
    [
        ("王\x1b]0;pwned\x07五", "U\\+001B"),
        ("王\n五", "一行"),
        ("", "1–100"),
        ("王" * 101, "1–100"),
    ],
)
def test_an_account_name_is_one_line_of_printable_text(world: World, name: str, reason: str):
    coordinator = world.as_("coordinator")
    with pytest.raises(AccessError, match=reason):
        coordinator.add_account(name, "bureau")
    assert name not in {row.name for row in coordinator.accounts()}


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("协调员", "coordinator"),
        ("关爱协调员", "coordinator"),
        ("关爱办", "coordinator"),
        ("班主任", "head_teacher"),
        ("教师", "teacher"),
        ("教育局", "bureau"),
        ("head_teacher", "head_teacher"),
        ("Bureau Viewer", "bureau"),
    ],
)
def test_a_role_is_named_by_its_code_or_any_of_its_names(world: World, role: str, code: str):
    teacher = world.teacher_code if code in ("head_teacher", "teacher") else None
    added = world.as_("coordinator").add_account("新账号", role, teacher_code=teacher)
    assert added.role == code


def test_an_unknown_role_is_refused_with_every_spelling_in_both_languages(world: World):
    with pytest.raises(NotFoundError) as refused:
        world.as_("coordinator").add_account("新账号", "校长")
    zh, en = refused.value.label
    assert "关爱办/协调员/关爱协调员（coordinator）、班主任（head_teacher）" in zh
    assert "教师（teacher）、教育局（bureau）" in zh
    assert "coordinator (关爱办/协调员/关爱协调员), head_teacher (班主任)" in en
    assert "teacher (教师), bureau (教育局)" in en


def test_without_a_school_an_account_is_of_the_acting_coordinators_school(world: World):
    added = world.as_("other_coordinator").add_account("外校老师", "协调员")
    assert (added.role, added.school_code) == ("coordinator", "OTHER")
    assert world.as_("coordinator").add_account("全市", "教育局").school_code is None


def _install(engine: Engine, database_url: str, *schools: str) -> Guanai:
    """A database with ``schools`` and no account yet, as its operator acts on it."""
    with transaction(engine) as session:
        for code in schools:
            create_demo_school(session, code=code, name=f"{code}小学", children=0)
    settings = Settings(database_url=database_url)
    return Guanai(settings, build_plugin_manager(False), "operator", engine=engine)


def test_the_first_account_is_of_the_only_school_and_says_it_is_the_first(
    engine: Engine, database_url: str
):
    operator = _install(engine, database_url, "S1")
    first = operator.add_account("张主任", "协调员")
    assert (first.role, first.school_code, first.first) == ("coordinator", "S1", True)
    with pytest.raises(AccessError, match="GUANAI_ACTOR"):
        operator.identify()
    director = Guanai(operator.settings, operator.pm, "张主任", engine=engine)
    second = director.add_account("李老师", "教师", teacher_code="T001")
    assert (second.school_code, second.teacher_code, second.first) == ("S1", "T001", False)


def test_among_several_schools_the_first_account_names_its_school(
    engine: Engine, database_url: str
):
    operator = _install(engine, database_url, "S1", "S2")
    with pytest.raises(NotFoundError, match="S1, S2"):
        operator.add_account("张主任", "协调员")
    assert operator.add_account("张主任", "协调员", school_code="S2").school_code == "S2"
