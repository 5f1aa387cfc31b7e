"""SetupActions: a coordinator sets up their own school, its teachers and its classes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from city import NOW, World
from openpyxl import load_workbook
from roster_samples import snapshot
from setup_samples import CLASSES, TEACHERS, setup_workbook
from sqlalchemy import Engine, select

from guanai.core.access import AccessError
from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.errors import GuanaiError, NotFoundError
from guanai.core.models import AuditEvent, School, SchoolClass, Teacher
from guanai.core.pm import build_plugin_manager
from guanai.core.roster.columns import CHILD_COLUMNS
from guanai.core.roster.importer import RosterRejected
from guanai.core.school_setup import SetupError
from guanai.service import Guanai

CLASS_COLUMN = [c.key for c in CHILD_COLUMNS].index("child.class") + 1


@pytest.fixture
def fresh(engine: Engine, database_url: str) -> Iterator[Guanai]:
    """The service on an empty database: no school, no account (its user is the coordinator)."""
    service = Guanai(
        Settings(database_url=database_url),
        build_plugin_manager(load_entry_points=False),
        "校长",
        engine=engine,
        clock=lambda: NOW,
    )
    yield service
    service.close()


def _audit(engine: Engine) -> list[tuple[str, str, str]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.entity).order_by(AuditEvent.id)
        )
        return [tuple(row) for row in rows]


def test_an_empty_database_is_set_up_without_the_demo(fresh: Guanai, engine: Engine):
    assert fresh.create_school("HN01", "某某镇中心小学").created
    fresh.add_teacher("T001", "王芳", phone="137 0013 7000", subjects="语文、数学")
    fresh.add_teacher("T002", "李强", email="liqiang@example.edu.cn", is_coordinator=True)
    fresh.add_class("三年级(2)班", head_code="T001")
    fresh.add_class("兴趣班", grade=4)
    fresh.add_class("三年级10班")
    overview = fresh.school_overview()
    assert (overview.code, overview.name) == ("HN01", "某某镇中心小学")
    assert [(c.name, c.grade, c.head_code) for c in overview.classes] == [
        ("三年级(2)班", 3, "T001"),
        ("三年级10班", 3, None),
        ("兴趣班", 4, None),
    ]
    wang, li = overview.teachers
    assert (wang.phone, wang.subjects, wang.is_coordinator) == (
        "13700137000",
        ("语文", "数学"),
        False,
    )
    assert (li.email, li.is_coordinator) == ("liqiang@example.edu.cn", True)
    assert [action for _, action, _ in _audit(engine)] == [
        "create_school", "add_teacher", "add_teacher", "add_class", "add_class", "add_class"
    ]  # fmt: skip
    assert {actor for actor, _, _ in _audit(engine)} == {"校长"}


def test_renaming_and_changing_details_is_audited_once_and_only_when_something_changes(
    fresh: Guanai, engine: Engine
):
    fresh.create_school("HN01", "关爱示范小学")
    fresh.add_teacher("T001", "王芳", phone="13700137000")
    assert fresh.rename_school("某某镇中心小学").changed == ("name",)
    assert not fresh.rename_school("某某镇中心小学").changed
    changed = fresh.change_teacher("T001", email="wf@example.edu.cn", phone="")
    assert set(changed.changed) == {"email", "phone"}
    assert not fresh.change_teacher("T001", email="wf@example.edu.cn").changed
    fresh.add_class("一年级1班")
    assert fresh.set_head_teacher("一年级1班", "T001").changed == ("head_teacher_id",)
    teacher = fresh.school_overview().teachers[0]
    assert (teacher.name, teacher.phone, teacher.email) == ("王芳", None, "wf@example.edu.cn")
    assert fresh.school_overview().name == "某某镇中心小学"
    assert [action for _, action, _ in _audit(engine)] == [
        "create_school", "add_teacher", "rename_school", "change_teacher", "add_class",
        "change_class",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("act", "error", "words"),
    [
        (lambda s: s.create_school("HN01", "另一所"), SetupError, "学校代码 HN01 已被使用"),
        (lambda s: s.add_teacher("T001", "又一个"), SetupError, "已有工号为 T001 的教师"),
        (lambda s: s.add_teacher("T009", "赵", phone="12345"), SetupError, "电话：电话应为手机号"),
        (lambda s: s.add_teacher("T009", "赵", email="zhao"), SetupError, "电子邮箱：电子邮箱格式"),
        (lambda s: s.add_teacher("T009", "赵\n敏"), SetupError, "姓名：只能填一行"),
        (lambda s: s.add_teacher("T009", ""), SetupError, "姓名：必填项为空"),
        (lambda s: s.change_teacher("T404", name="无"), NotFoundError, "没有工号为 T404 的教师"),
        (lambda s: s.add_class("一年级1班"), SetupError, "已有班级 一年级1班"),
        (lambda s: s.add_class("一(1)班"), SetupError, "已有班级 一年级1班（即 一(1)班）"),
        (lambda s: s.add_class("二年级1班", head_code="T404"), NotFoundError, "T404"),
        (lambda s: s.add_class("兴趣班"), SetupError, "请填写年级"),
        (lambda s: s.add_class("兴趣班", grade=13), SetupError, "年级：年级应为 1–12"),
        (lambda s: s.set_head_teacher("九年级9班", "T001"), NotFoundError, "没有班级 九年级9班"),
    ],
)
def test_a_bad_value_is_refused_naming_the_field_and_nothing_is_written(
    fresh: Guanai, engine: Engine, act, error: type[GuanaiError], words: str
):
    fresh.create_school("HN01", "某某镇中心小学")
    fresh.add_teacher("T001", "王芳")
    fresh.add_class("一年级1班")
    before = _audit(engine)
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")) as raised:
        act(fresh)
    assert str(raised.value.label.en)  # bilingual
    assert _audit(engine) == before


def test_the_school_defaults_to_the_coordinators_own(world: World):
    coordinator = world.as_("coordinator")  # bound to DEMO
    assert coordinator.school_overview().code == "DEMO"
    unbound = world.as_("bureau")
    with pytest.raises(AccessError):
        unbound.school_overview()


def test_a_coordinator_bound_to_a_school_cannot_create_another_or_touch_one_not_theirs(
    world: World,
):
    other = world.as_("other_coordinator")
    with pytest.raises(AccessError, match="只能管理本校"):
        other.create_school("NEW", "新学校")
    with pytest.raises(AccessError, match="只能"):
        other.rename_school("改名", school_code="DEMO")
    with pytest.raises(AccessError, match="只能"):
        other.add_teacher("T900", "新老师", school_code="DEMO")
    with transaction(world.engine) as session:
        assert session.scalar(select(School.id).where(School.code == "NEW")) is None
        assert session.scalar(select(Teacher.id).where(Teacher.code == "T900")) is None
    assert other.rename_school("另一小学（新校名）").changed == ("name",)


@pytest.mark.parametrize("identity", ["teacher", "head_teacher", "bureau", "nobody"])
def test_only_coordinators_set_a_school_up(world: World, identity: str):
    service = world.as_(identity)
    for act in (
        lambda: service.rename_school("改名", school_code="DEMO"),
        lambda: service.add_class("九年级9班", school_code="DEMO"),
        lambda: service.add_teacher("T900", "新老师", school_code="DEMO"),
        lambda: service.school_overview("DEMO"),
    ):
        with pytest.raises(AccessError):
            act()
    with transaction(world.engine) as session:
        assert session.scalar(select(SchoolClass.id).where(SchoolClass.name == "九年级9班")) is None


def test_a_workbook_sets_an_empty_database_up_whole_in_one_import(fresh: Guanai, tmp_path: Path):
    report = fresh.import_roster(setup_workbook(tmp_path / "school.xlsx"))
    assert report.setup is not None and dict(report.setup.created) == {
        "学校": 1, "教师": 3, "班级": 3
    }  # fmt: skip
    assert report.created == 3
    assert [c.children for c in fresh.school_overview().classes] == [1, 2, 0]
    again = fresh.import_roster(setup_workbook(tmp_path / "school.xlsx"))
    assert again.setup is not None and not again.setup.created and not again.setup.updated
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


@pytest.mark.parametrize(
    "broken",
    [
        {"teachers": [TEACHERS[0], ["T001", "王芳", "12345", None, None, None]]},
        {"children": (1, 2, 99)},  # child 99's class is one the 班级 sheet does not have
    ],
    ids=["teacher-sheet", "roster-sheet"],
)
def test_a_problem_in_any_sheet_leaves_the_database_as_it_was(
    fresh: Guanai, engine: Engine, tmp_path: Path, broken: dict
):
    if "children" in broken:
        classes = [*CLASSES[:2], ["三年级1班", None, None]]
        broken = {**broken, "classes": classes}
    path = setup_workbook(tmp_path / "school.xlsx", **broken)
    if "children" in broken:  # the last child is in a class the school does not have
        workbook = load_workbook(path)
        sheet = workbook["留守儿童"]
        sheet.cell(sheet.max_row, CLASS_COLUMN, "九年级9班")
        workbook.save(path)
    before = snapshot(engine)[1]
    with pytest.raises(RosterRejected):
        fresh.import_roster(path)
    assert snapshot(engine)[1] == before


def test_a_workbook_of_set_up_sheets_alone_sets_the_school_up(fresh: Guanai, tmp_path: Path):
    report = fresh.import_roster(setup_workbook(tmp_path / "school.xlsx", children=()))
    assert report.setup is not None and not report.setup.has_roster
    assert report.rows == 0
    assert len(fresh.school_overview().teachers) == 3


def test_a_coordinator_bound_to_a_school_cannot_import_another_schools_sheets(
    world: World, tmp_path: Path
):
    before = snapshot(world.engine)[1]
    with pytest.raises(AccessError, match="只能管理本校"):
        world.as_("other_coordinator").import_roster(setup_workbook(tmp_path / "school.xlsx"))
    assert snapshot(world.engine)[1] == before
