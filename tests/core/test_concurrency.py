"""Writes that race: a re-plan during completions, and the rule the database keeps itself.

The race is forced, not hoped for: the planner is held, by events, never by sleeping, after it
has read the tasks (where the bug lived) until the completions have run. On PostgreSQL they run
to their end meanwhile; on SQLite they wait for the planner's write lock, as in real use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from stuck_tasks import PLANNED_AT, planned_school

from guanai.core import planner
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import load_calendar
from guanai.core.db import transaction
from guanai.core.engine import complete, plan_term
from guanai.core.models import Activity, Record, Task, TaskState
from guanai.core.pm import build_plugin_manager
from guanai.core.simulation import simulated_record

COMPLETED_AT = datetime(2026, 12, 1, 8, tzinfo=UTC)
COMPLETIONS = 100
WAIT = 60  # seconds: only a broken test waits this long


@pytest.fixture(scope="module")
def registry() -> ActivityRegistry:
    return build_plugin_manager(load_entry_points=False).activity_registry()


def plan(engine: Engine, registry: ActivityRegistry) -> None:
    with transaction(engine) as session:
        plan_term(
            session,
            load_calendar("2026-autumn"),
            registry,
            actor="tester",
            now=PLANNED_AT,
            max_per_teacher_per_day=3,
        )


def open_talks(engine: Engine) -> list[tuple[int, int, str, str, date]]:
    """(task id, activity id, step, subject, scheduled on) of open talks before December."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(Task.id, Task.activity_id, Task.step, Task.subject, Task.scheduled_on)
            .join(Activity, Activity.id == Task.activity_id)
            .where(
                Activity.type == "talk",
                Task.state == TaskState.PENDING.value,
                Task.scheduled_on < date(2026, 11, 30),
            )
            .order_by(Task.id)
            .limit(COMPLETIONS)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def hold_planner(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """From now on the planner, once it has read a school's tasks, sets ``read`` and waits
    for ``go`` before it writes; the tasks it read all get a new due date, so that it would
    update each of them."""
    read, go = threading.Event(), threading.Event()
    wanted_tasks = planner._wanted_tasks

    def held(*args: Any, **kwargs: Any) -> Any:
        wanted = wanted_tasks(*args, **kwargs)
        read.set()
        assert go.wait(WAIT), "the test never let the planner go on"
        return {key: (*want[:-1], date(2027, 1, 15)) for key, want in wanted.items()}

    monkeypatch.setattr(planner, "_wanted_tasks", held)
    return read, go


def test_a_re_plan_racing_completions_leaves_every_completion_done(
    engine: Engine, registry: ActivityRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned_school(engine, registry, children=60)
    talks = open_talks(engine)
    assert len(talks) == COMPLETIONS
    read, go = hold_planner(monkeypatch)
    planning, plan_errors = in_thread(lambda: plan(engine, registry))
    assert read.wait(WAIT), "the planner never read the tasks"

    completed: list[int] = []
    started = threading.Event()

    def complete_all() -> None:
        for task_id, _, step_name, _, scheduled_on in talks:
            started.set()
            step = registry.get("talk").step(step_name)
            with transaction(engine) as session:
                complete(
                    session,
                    registry,
                    task_id,
                    simulated_record(step, scheduled_on),
                    actor="王老师",
                    now=COMPLETED_AT,
                )
            completed.append(task_id)

    completing, complete_errors = in_thread(complete_all)
    assert started.wait(WAIT)
    if engine.dialect.name == "postgresql":
        completing.join(WAIT)  # all 100 commit while the planner holds what it read
        assert len(completed) == COMPLETIONS
    go.set()
    planning.join(WAIT)
    completing.join(WAIT)
    assert plan_errors == [] and complete_errors == []

    assert len(completed) == COMPLETIONS
    with engine.connect() as connection:
        states = dict(
            connection.execute(select(Task.id, Task.state).where(Task.id.in_(completed))).all()
        )
        records = connection.scalar(
            select(func.count()).select_from(Record).where(Record.task_id.in_(completed))
        )
    assert set(states.values()) == {TaskState.DONE.value}
    assert records == COMPLETIONS


def test_the_database_keeps_a_task_with_a_record_done(engine: Engine, registry) -> None:
    """Whatever writes it: a state written over a completed task is refused."""
    planned_school(engine, registry, children=2)
    task_id, _, step_name, _, scheduled_on = open_talks(engine)[0]
    with transaction(engine) as session:
        step = registry.get("talk").step(step_name)
        record = simulated_record(step, scheduled_on)
        complete(session, registry, task_id, record, actor="王老师", now=COMPLETED_AT)
    from sqlalchemy.exc import IntegrityError

    from guanai.core.invariants import explained

    with pytest.raises(IntegrityError) as raised, transaction(engine) as session:
        session.execute(
            Task.__table__.update().where(Task.id == task_id).values(state=TaskState.PENDING.value)
        )
    assert explained(raised.value) is not None
    assert "有记录的任务" in explained(raised.value).zh  # type: ignore[union-attr]
