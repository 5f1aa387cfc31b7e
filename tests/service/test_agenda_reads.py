"""AgendaReads.agenda: a teacher's own tasks, a coordinator's school, the bureau masked."""

from __future__ import annotations

from datetime import date

import pytest
from city import World
from sqlalchemy import select

from guanai.core.access import AccessError
from guanai.core.agenda import Agenda
from guanai.core.db import transaction
from guanai.core.models import Child, Task, Teacher

FIRST = date(2026, 9, 21)


def _items(plate: Agenda) -> list:
    return [*plate.upcoming, *plate.overdue]


def _tasks_of(world: World, code: str) -> set[int]:
    school = world.school_id("DEMO")
    with transaction(world.engine) as session:
        return set(
            session.scalars(
                select(Task.id)
                .join(Teacher, Teacher.id == Task.assignee_id)
                .where(Teacher.code == code, Teacher.school_id == school)
            )
        )


def _child_names(world: World) -> set[str]:
    school = world.school_id("DEMO")
    with transaction(world.engine) as session:
        return set(session.scalars(select(Child.name).where(Child.school_id == school)))


@pytest.mark.parametrize("identity", ["teacher", "head_teacher"])
def test_a_teacher_sees_only_their_own_tasks(world: World, identity: str):
    code = world.teacher_code if identity == "teacher" else world.head_teacher_code
    plate = world.as_(identity).agenda(start=FIRST, days=30)
    shown = {item.task_id for item in _items(plate)}
    assert shown and shown <= _tasks_of(world, code)
    assert world.as_(identity).agenda(teacher_code=code, start=FIRST, days=30) == plate


def test_a_teacher_asking_for_another_teachers_agenda_is_refused(world: World):
    with pytest.raises(AccessError, match="只能"):
        world.as_("teacher").agenda(teacher_code=world.head_teacher_code)


def test_the_coordinator_sees_the_whole_school_with_names_or_one_teacher(world: World):
    coordinator = world.as_("coordinator")
    plate = coordinator.agenda(start=FIRST, days=30)
    assignees = {item.assignee for item in _items(plate)}
    assert len(assignees) > 2
    names = _child_names(world)
    assert any(name in item.subject for item in _items(plate) for name in names)
    one = coordinator.agenda(teacher_code=world.teacher_code, start=FIRST, days=30)
    assert {item.task_id for item in _items(one)} <= _tasks_of(world, world.teacher_code)


def test_the_bureau_sees_a_schools_agenda_with_childrens_names_masked(world: World):
    plate = world.as_("bureau").agenda("DEMO", start=FIRST, days=30)
    coordinator = world.as_("coordinator").agenda(start=FIRST, days=30)
    assert [i.task_id for i in _items(plate)] == [i.task_id for i in _items(coordinator)]
    names = _child_names(world)
    assert not [item.subject for item in _items(plate) for name in names if name in item.subject]
    assert any("*" in item.subject for item in _items(plate))


@pytest.mark.parametrize("identity", ["other_coordinator", "nobody"])
def test_another_schools_coordinator_and_an_unknown_name_are_refused(world: World, identity: str):
    with pytest.raises(AccessError):
        world.as_(identity).agenda("DEMO")


def test_each_list_holds_at_most_the_limit_and_counts_the_rest(world: World):
    coordinator = world.as_("coordinator")
    whole = coordinator.agenda(start=FIRST, days=30, limit=10_000)
    assert whole.upcoming_total == len(whole.upcoming) > 3
    assert whole.overdue_total == len(whole.overdue)
    page = coordinator.agenda(start=FIRST, days=30, limit=3)
    assert page.upcoming == whole.upcoming[:3]
    assert page.overdue == whole.overdue[:3]
    assert (page.upcoming_total, page.overdue_total) == (whole.upcoming_total, whole.overdue_total)
    for limit in (whole.upcoming_total - 1, whole.upcoming_total, whole.upcoming_total + 1):
        edge = coordinator.agenda(start=FIRST, days=30, limit=limit)  # cut, just full, short
        assert len(edge.upcoming) == min(limit, whole.upcoming_total)
        assert edge.upcoming_total == whole.upcoming_total


def test_a_teachers_counts_are_of_their_own_tasks(world: World):
    plate = world.as_("teacher").agenda(start=FIRST, days=30, limit=1)
    whole = world.as_("teacher").agenda(start=FIRST, days=30, limit=10_000)
    assert len(plate.upcoming) == 1 < plate.upcoming_total == len(whole.upcoming)
    assert {item.task_id for item in whole.upcoming} <= _tasks_of(world, world.teacher_code)
