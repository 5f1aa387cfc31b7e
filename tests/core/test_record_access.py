"""Who may record a task: a coordinator any task of their school, a teacher only their own,
the bureau none; with no accounts the operator is the coordinator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from guanai.core.access import AccessError, Viewer, require_may_record
from guanai.core.models import Activity, School, Task


@pytest.fixture
def task(guanai) -> Task:  # type: ignore[no-untyped-def]
    guanai.plan()
    with guanai.session() as session:
        return session.scalars(
            select(Task).where(Task.assignee_id.is_not(None)).order_by(Task.id).limit(1)
        ).one()


def test_a_coordinator_records_any_task_of_their_school(guanai, task):
    with guanai.session() as session:
        school = session.scalar(select(Activity.school_id).where(Activity.id == task.activity_id))
        require_may_record(session, Viewer("office", "coordinator"), task.id)
        require_may_record(session, Viewer("office", "coordinator", school_id=school), task.id)
        session.add(School(code="OTHER", name="别校"))
        session.flush()
        other = session.scalar(select(School.id).where(School.code == "OTHER"))
        with pytest.raises(AccessError, match="本校"):
            require_may_record(session, Viewer("far", "coordinator", school_id=other), task.id)


def test_a_teacher_records_only_their_own_tasks(guanai, task):
    with guanai.session() as session:
        own = Viewer("li", "teacher", teacher_id=task.assignee_id)
        require_may_record(session, own, task.id)
        require_may_record(
            session, Viewer("li", "head_teacher", teacher_id=task.assignee_id), task.id
        )
        with pytest.raises(AccessError, match="只能记录分配给自己的任务"):
            require_may_record(session, Viewer("wang", "teacher", teacher_id=-1), task.id)


def test_the_bureau_records_nothing(guanai, task):
    with guanai.session() as session, pytest.raises(AccessError):
        require_may_record(session, Viewer("bureau", "bureau"), task.id)
