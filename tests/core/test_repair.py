"""Repairing stuck tasks: a record stored, the task not done (what a re-plan racing
completions left before migration 0006). Found per school, shown as the viewer may see them,
marked done as their record says, audited; nothing else is touched."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from roster_samples import snapshot
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from stuck_tasks import (
    PRIVATE_NOTES,
    RECORDED_AT,
    RECORDED_BY,
    complete_talks,
    planned_school,
    school_at_0005_with_a_stuck_talk,
    write_over_done,
)

from guanai.core.access import Viewer
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.db import make_engine, transaction, upgrade
from guanai.core.engine import complete
from guanai.core.invariants import explained
from guanai.core.masking import mask_name
from guanai.core.models import AuditEvent, Child, Task, TaskState
from guanai.core.pm import build_plugin_manager
from guanai.core.repair import repair_stuck_tasks, stuck_counts, stuck_tasks
from guanai.core.simulation import simulated_record

NOW = datetime(2026, 9, 21, 8, tzinfo=UTC)
BUREAU = Viewer("教育局", "bureau")
WRITTEN_OVER = ("pending", "overdue", "escalated", "cancelled")


@pytest.fixture(scope="module")
def registry() -> ActivityRegistry:
    return build_plugin_manager(load_entry_points=False).activity_registry()


def coordinator(school_id: int) -> Viewer:
    return Viewer("关爱办", "coordinator", school_id=school_id)


@pytest.fixture
def stuck(engine: Engine, registry: ActivityRegistry) -> tuple[int, dict[int, str], int]:
    """A school; four of its completed talks written over (task id: the state written), one
    with each of pending, overdue, escalated and cancelled; a fifth left done."""
    school = planned_school(engine, registry)
    *over, done = complete_talks(engine, registry, 5, school)
    states = dict(zip(over, WRITTEN_OVER, strict=True))
    write_over_done(engine, states)
    return school, states, done


def test_stuck_tasks_are_listed_by_date_with_their_record_and_nothing_changes(
    engine: Engine, registry: ActivityRegistry, stuck: tuple[int, dict[int, str], int]
):
    school, over, _ = stuck
    before = snapshot(engine)[1]
    with transaction(engine) as session:
        found = stuck_tasks(session, coordinator(school), registry, school)
        names = dict(session.execute(select(Task.id, Child.name).join(Child)).all())
    assert sorted(task.task_id for task in found) == sorted(over)
    assert [t.scheduled_on for t in found] == sorted(t.scheduled_on for t in found)
    assert {task.task_id: task.state for task in found} == over
    assert {(t.recorded_by, t.recorded_at) for t in found} == {(RECORDED_BY, RECORDED_AT)}
    assert {task.subject for task in found} <= set(names.values())
    assert all(str(task.title).startswith("谈心") for task in found)
    assert PRIVATE_NOTES not in repr(found)
    assert snapshot(engine)[1] == before


def test_a_viewer_who_may_not_see_a_child_in_full_gets_the_name_masked(
    engine: Engine, registry: ActivityRegistry, stuck: tuple[int, dict[int, str], int]
):
    school, _, _ = stuck
    with transaction(engine) as session:
        full = stuck_tasks(session, coordinator(school), registry, school)
        masked = stuck_tasks(session, BUREAU, registry, school)
    assert [t.subject for t in masked] == [mask_name(t.subject) for t in full]
    assert not {t.subject for t in masked} & {t.subject for t in full}


def test_repair_marks_them_done_as_their_record_says_and_audits_each(
    engine: Engine, registry: ActivityRegistry, stuck: tuple[int, dict[int, str], int]
):
    school, over, done = stuck
    with transaction(engine) as session:
        sequences = dict(session.execute(select(Task.id, Task.sequence)).all())
        others = session.execute(
            select(Task.id, Task.state, Task.completed_at, Task.completed_by)
            .where(Task.id.not_in(list(over)))
            .order_by(Task.id)
        ).all()
    with transaction(engine) as session:
        repaired = repair_stuck_tasks(
            session, coordinator(school), registry, school, actor="关爱办", now=NOW
        )
    assert sorted(t.task_id for t in repaired) == sorted(over)
    assert {t.task_id: t.state for t in repaired} == over
    with transaction(engine) as session:
        tasks = session.scalars(select(Task).where(Task.id.in_(list(over)))).all()
        audit = session.execute(
            select(AuditEvent.entity_id, AuditEvent.actor, AuditEvent.at, AuditEvent.detail).where(
                AuditEvent.action == "repair"
            )
        ).all()
        after = session.execute(
            select(Task.id, Task.state, Task.completed_at, Task.completed_by)
            .where(Task.id.not_in(list(over)))
            .order_by(Task.id)
        ).all()
        assert stuck_tasks(session, coordinator(school), registry, school) == []
        assert stuck_counts(session) == {}
    assert {(t.state, t.completed_at, t.completed_by) for t in tasks} == {
        (TaskState.DONE.value, RECORDED_AT, RECORDED_BY)
    }
    assert all(t.sequence == sequences[t.id] + 1 for t in tasks)
    assert sorted((id_, actor, at) for id_, actor, at, _ in audit) == [
        (task, "关爱办", NOW) for task in sorted(over)
    ]
    assert {id_: detail["was"] for id_, _, _, detail in audit} == over
    assert PRIVATE_NOTES not in repr(audit)
    assert after == others and done in {row.id for row in after}


def test_repair_touches_only_the_school_it_is_given(engine: Engine, registry: ActivityRegistry):
    demo, other = planned_school(engine, registry), planned_school(engine, registry, "OTHER")
    demo_task, other_task = complete_talks(engine, registry, 1, demo) + complete_talks(
        engine, registry, 1, other
    )
    write_over_done(engine, {demo_task: "pending", other_task: "pending"})
    with transaction(engine) as session:
        assert stuck_counts(session) == {"DEMO": 1, "OTHER": 1}
        repaired = repair_stuck_tasks(
            session, coordinator(demo), registry, demo, actor="关爱办", now=NOW
        )
    assert [t.task_id for t in repaired] == [demo_task]
    with transaction(engine) as session:
        assert stuck_counts(session) == {"OTHER": 1}
        assert session.get_one(Task, other_task).state == "pending"


def test_a_database_upgraded_from_0005_keeps_its_stuck_tasks_until_they_are_repaired(
    database_url: str, registry: ActivityRegistry
):
    """The upgrade leaves them (0006 adds the rule, it does not apply it to old rows):
    completing one again is refused by the record already there; the repair marks it done,
    and from then on the database keeps it done."""
    engine = make_engine(database_url)
    try:
        school, task_id = school_at_0005_with_a_stuck_talk(engine, registry, "pending")
        upgrade(engine)
        with transaction(engine) as session:
            assert stuck_counts(session) == {"DEMO": 1}
            task = session.get_one(Task, task_id)
            step = registry.get("talk").step(task.step)
            record = simulated_record(step, task.scheduled_on)
        with pytest.raises(IntegrityError) as refused, transaction(engine) as session:
            complete(session, registry, task_id, record, actor=RECORDED_BY, now=NOW)
        assert explained(refused.value) is not None
        with transaction(engine) as session:
            [repaired] = repair_stuck_tasks(
                session, coordinator(school), registry, school, actor="关爱办", now=NOW
            )
        assert (repaired.task_id, repaired.state) == (task_id, "pending")
        with pytest.raises(IntegrityError), transaction(engine) as session:
            session.execute(
                Task.__table__.update().where(Task.id == task_id).values(state="pending")
            )
        with transaction(engine) as session:
            assert session.get_one(Task, task_id).state == TaskState.DONE.value
    finally:
        engine.dispose()
