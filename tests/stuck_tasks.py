"""Stuck tasks as a re-plan racing completions left them before migration 0006: completed,
their record stored, then an open state (or ``cancelled``) written over them.

On a current database the trigger ``task_with_record_stays_done`` refuses that write;
:func:`write_over_done` sets it aside for its transaction only (dropped and made again from
its own SQL on SQLite, disabled on PostgreSQL), so the database ends as an upgraded one that
holds such tasks, its rule in place. On a database at 0005 there is no trigger to set aside.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import Connection, Engine, select, text, update

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import load_calendar
from guanai.core.db import alembic_config, transaction, upgrade
from guanai.core.demo import create_demo_school
from guanai.core.engine import complete, plan_term
from guanai.core.models import OPEN_STATES, Activity, Task
from guanai.core.simulation import simulated_record

TRIGGER = "task_with_record_stays_done"
PLANNED_AT = datetime(2026, 8, 25, tzinfo=UTC)
RECORDED_AT = datetime(2026, 9, 18, 7, 30, tzinfo=UTC)
RECORDED_BY = "王老师"
PRIVATE_NOTES = "谈心记录：孩子想念外出打工的妈妈"
"""The private field of every record :func:`complete_talks` writes: no output may show it."""


def planned_school(
    engine: Engine, registry: ActivityRegistry, code: str = "DEMO", children: int = 8
) -> int:
    """A demo school of ``children`` with its 2026 autumn term planned; its id."""
    with transaction(engine) as session:
        school = create_demo_school(session, code=code, name=f"{code} 小学", children=children)
        plan_term(
            session,
            load_calendar("2026-autumn"),
            registry,
            actor="tester",
            now=PLANNED_AT,
            max_per_teacher_per_day=3,
            school_ids=[school],
        )
    return school


def school_at_0005_with_a_stuck_talk(
    engine: Engine, registry: ActivityRegistry, state: str
) -> tuple[int, int]:
    """A database at 0005 holding one stuck talk (its record stored, ``state`` written over
    its done), not yet upgraded: (school id, task id).

    Made with today's code on the newest schema, then downgraded to 0005 (the data stays; the
    columns and rules added since go), since today's models write columns 0005 does not have.
    """
    upgrade(engine)
    school = planned_school(engine, registry)
    [task] = complete_talks(engine, registry, 1, school)
    command.downgrade(alembic_config(engine), "0005")
    write_over_done(engine, {task: state})  # no trigger to set aside at 0005
    return school, task


def complete_talks(
    engine: Engine, registry: ActivityRegistry, count: int, school_id: int | None = None
) -> list[int]:
    """Complete the first ``count`` open talks (of ``school_id``'s, else of any school) as
    :data:`RECORDED_BY` at :data:`RECORDED_AT`; their ids, in order."""
    step_of = {step.name: step for step in registry.get("talk").steps}
    with transaction(engine) as session:
        query = (
            select(Task.id, Task.step, Task.scheduled_on)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.type == "talk", Task.state.in_(OPEN_STATES))
            .where(Task.scheduled_on < date(2026, 9, 18))
            .order_by(Task.id)
            .limit(count)
        )
        if school_id is not None:
            query = query.where(Activity.school_id == school_id)
        talks = session.execute(query).all()
        assert len(talks) == count, "the term has too few talks before 18 September"
        for task_id, step, scheduled_on in talks:
            record = simulated_record(step_of[step], scheduled_on) | {"notes": PRIVATE_NOTES}
            complete(session, registry, task_id, record, actor=RECORDED_BY, now=RECORDED_AT)
    return [task_id for task_id, _, _ in talks]


def write_over_done(engine: Engine, states: dict[int, str]) -> None:
    """Write ``states`` (task id: state) over done tasks that keep their record."""
    with engine.begin() as connection:
        made_again = _set_aside(connection)
        for task_id, state in states.items():
            connection.execute(update(Task).where(Task.id == task_id).values(state=state))
        if made_again is not None:
            connection.execute(text(made_again))


def _set_aside(connection: Connection) -> str | None:
    """Set the trigger aside for this transaction; the SQL that makes it again, if needed."""
    postgresql = connection.dialect.name == "postgresql"
    found = connection.scalar(
        text(
            "SELECT tgname FROM pg_trigger WHERE tgname = :name"
            if postgresql
            else "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"
        ),
        {"name": TRIGGER},
    )
    if found is None:  # a database at 0005: nothing to set aside
        return None
    if postgresql:
        connection.execute(text(f"ALTER TABLE task DISABLE TRIGGER {TRIGGER}"))
        return f"ALTER TABLE task ENABLE TRIGGER {TRIGGER}"
    connection.execute(text(f"DROP TRIGGER {TRIGGER}"))
    return str(found)
