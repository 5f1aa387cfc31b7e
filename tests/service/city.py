"""A small city for the service's tests: two demo schools, a planned term, an account per role.

DEMO (30 children) and OTHER (12) share one database. ``world.as_(identity)`` is the service
as that identity acts through it; the identities are those of tests/test_access_matrix.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select

from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.models import Child, Pairing, School, SchoolClass, Task, TaskState, Teacher
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager
from guanai.core.schools import SCHOOL_TIMEZONE
from guanai.service import Guanai

NOW = datetime(2026, 9, 21, 8, 0, tzinfo=SCHOOL_TIMEZONE)
NAMES = {
    "coordinator": "关爱办",
    "other_coordinator": "外校关爱办",
    "teacher": "王老师",
    "head_teacher": "陈班主任",
    "bureau": "教育局",
    "nobody": "陌生人",
}


@dataclass
class World:
    engine: Engine
    pm: GuanaiPluginManager
    url: str
    teacher_code: str = ""
    head_teacher_code: str = ""
    stranger_no: str = ""  # a DEMO child paired with neither teacher, not in the head's class
    head_class_no: str = ""  # a DEMO child of the head teacher's class
    services: list[Guanai] = field(default_factory=list)

    def as_(self, identity: str, **options: object) -> Guanai:
        """The service acting as ``identity`` (a key of NAMES), its clock at NOW."""
        service = Guanai(
            Settings(database_url=self.url),
            self.pm,
            NAMES.get(identity, identity),
            engine=self.engine,
            clock=lambda: NOW,
            **options,  # type: ignore[arg-type]
        )
        self.services.append(service)
        return service

    def school_id(self, code: str) -> int:
        with transaction(self.engine) as session:
            return session.scalars(select(School.id).where(School.code == code)).one()


def _people(world: World) -> None:
    with transaction(world.engine) as session:
        school = session.scalars(select(School.id).where(School.code == "DEMO")).one()
        heads = set(session.scalars(select(SchoolClass.head_teacher_id)))
        due = select(Task.assignee_id).where(Task.state == TaskState.DUE.value)
        in_demo = select(Teacher.id).where(Teacher.school_id == school)
        teacher = session.scalars(
            select(Teacher)
            .where(Teacher.id.in_(in_demo), Teacher.id.not_in(heads), Teacher.id.in_(due))
            .where(~Teacher.is_coordinator)  # a pairing teacher: the care office has due work too
            .order_by(Teacher.id)
        ).first()
        head = session.scalars(
            select(Teacher)
            .where(Teacher.id.in_(heads), Teacher.id.in_(in_demo))
            .order_by(Teacher.id)
        ).first()
        assert teacher is not None and head is not None
        world.teacher_code, world.head_teacher_code = teacher.code, head.code
        head_class = select(SchoolClass.id).where(SchoolClass.head_teacher_id == head.id)
        theirs = select(Pairing.child_id).where(
            Pairing.teacher_id.in_((teacher.id, head.id)), Pairing.ended_on.is_(None)
        )
        demo_children = select(Child.student_no).where(Child.school_id == school)
        stranger = session.scalar(
            demo_children.where(Child.id.not_in(theirs), Child.class_id.not_in(head_class))
            .order_by(Child.id)
            .limit(1)
        )
        pupil = session.scalar(
            demo_children.where(Child.class_id.in_(head_class)).order_by(Child.id).limit(1)
        )
        assert stranger is not None and pupil is not None
        world.stranger_no, world.head_class_no = stranger, pupil


def build_world(engine: Engine, database_url: str) -> World:
    world = World(engine, build_plugin_manager(load_entry_points=False), database_url)
    with transaction(engine) as session:
        create_demo_school(session, code="DEMO", children=30)
        create_demo_school(session, code="OTHER", name="另一小学", children=12)
    setup = world.as_("setup")  # no accounts yet: the one user is the coordinator
    setup.plan(school_codes=("DEMO", "OTHER"))
    setup.tick()
    _people(world)
    setup.add_account(NAMES["coordinator"], "coordinator", school_code="DEMO")
    coordinator = world.as_("coordinator")
    for identity, role, school, teacher in (
        ("other_coordinator", "coordinator", "OTHER", None),
        ("teacher", "teacher", "DEMO", world.teacher_code),
        ("head_teacher", "head_teacher", "DEMO", world.head_teacher_code),
        ("bureau", "bureau", None, None),
    ):
        coordinator.add_account(NAMES[identity], role, school_code=school, teacher_code=teacher)
    return world
