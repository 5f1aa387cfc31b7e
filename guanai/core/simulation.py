"""Running a term day by day with an injected clock, as the daemon would, but in seconds.

Each simulated day is its own transaction: tick at the given local hour, then (optionally)
have teachers complete a share of what became due that day, with records filled in by
:func:`simulated_record` so every step's validation really runs. Simulated teachers work on
their term's school days only (a record dated on a day off would need confirming).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, select

from guanai.core.activity import FieldKind, Step
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.engine import TickReport, complete, tick
from guanai.core.models import Activity, Task, TaskState, Term
from guanai.core.record_days import term_calendar


@dataclass(frozen=True)
class SimulatedDay:
    day: date
    report: TickReport
    completed: int


def simulated_record(step: Step, day: date) -> dict[str, Any]:
    """A valid record for ``step``: the simplest value of each field's kind."""
    values: dict[FieldKind, Any] = {
        FieldKind.TEXT: "（模拟）",
        FieldKind.LONG_TEXT: "（模拟记录）",
        FieldKind.DATE: day.isoformat(),
        FieldKind.INTEGER: 1,
        FieldKind.BOOLEAN: True,
    }
    return {
        f.name: f.choices[0] if f.kind is FieldKind.CHOICE else values[f.kind] for f in step.record
    }


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def simulate(
    engine: Engine,
    registry: ActivityRegistry,
    *,
    first: date,
    last: date,
    tz: Any,
    settings: Settings,
    actor: str,
    school_id: int | None = None,
    complete_share: float = 0.0,
    seed: int = 2026,
    at: time = time(8, 0),
    on_day: Callable[[SimulatedDay], None] | None = None,
) -> list[SimulatedDay]:
    """Tick every day from ``first`` to ``last``; complete ``complete_share`` of the due tasks
    (of ``school_id`` only, when given), recorded under ``actor``."""
    chooser = random.Random(seed)
    days = []
    for day in days_between(first, last):
        now = datetime.combine(day, at, tzinfo=tz)
        with transaction(engine) as session:
            report = tick(session, now, registry, settings)
        completed = 0
        if complete_share > 0:
            with transaction(engine) as session:
                working = {
                    term.id
                    for term in session.scalars(select(Term))
                    if term_calendar(term).is_school_day(day)
                }
                due = session.execute(
                    select(Task.id, Task.step, Activity.type, Activity.term_id)
                    .join(Activity, Activity.id == Task.activity_id)
                    .where(
                        Task.state == TaskState.DUE.value,
                        Task.scheduled_on <= day,
                        *([Activity.school_id == school_id] if school_id is not None else []),
                    )
                    .order_by(Task.id)
                ).all()
                for task_id, step_name, type_name, term_id in due:
                    if term_id not in working or type_name not in registry:
                        continue
                    if chooser.random() < complete_share:
                        step = registry.get(type_name).step(step_name)
                        complete(
                            session,
                            registry,
                            task_id,
                            simulated_record(step, day),
                            actor=actor,
                            now=now,
                        )
                        completed += 1
        result = SimulatedDay(day, report, completed)
        days.append(result)
        if on_day is not None:
            on_day(result)
    return days
