"""Talk tasks follow the current pairing: handing a child's open tasks to their new teacher.

A step whose role is the pairing teacher (帮扶教师) belongs to whoever is paired with the child
now. When a pairing changes (``guanai pair``, ``guanai pair --auto``, a roster import) the
child's open tasks of such steps move to the new teacher at once, in one UPDATE per batch of
children, instead of waiting for the next re-plan. Done tasks keep the teacher who did the work.

A handed-over task is a material change to whoever follows it (a teacher's calendar feed), so
its ``sequence`` is bumped and ``changed_at`` set, as the planner does.

The planner keeps an existing task's day on a re-plan (even above the daily cap) as long as
its assignee is unchanged and the day still lies in the step's window. So the cap has to be
kept here: a handed-over task of a spread step that would put the new teacher over the cap on
its day moves to the nearest day with room among the school days of the step's window, as
the plan shows them. A later re-plan then changes nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from guanai.core.activity import Role
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.models import OPEN_STATES, Activity, Child, Pairing, Task, TaskState, Term
from guanai.core.occurrences import days_of, step_windows
from guanai.core.record_days import term_calendar

BATCH = 1000
_OPEN = [state.value for state in OPEN_STATES]


@dataclass(frozen=True)
class Handover:
    """What following the pairings did: tasks reassigned, and of those, tasks given a new day."""

    reassigned: int = 0
    moved: int = 0


def pairing_teacher_steps(registry: ActivityRegistry) -> dict[str, tuple[str, ...]]:
    """Activity type -> names of its steps done by the pairing teacher."""
    return _steps(registry, lambda step: step.role is Role.PAIRING_TEACHER)


def spread_steps(registry: ActivityRegistry) -> dict[str, tuple[str, ...]]:
    """Activity type -> names of its steps given concrete days under the daily cap."""
    return _steps(registry, lambda step: step.spread)


def _steps(registry: ActivityRegistry, wanted: Any) -> dict[str, tuple[str, ...]]:
    found = {
        name: tuple(step.name for step in registry.types[name].steps if wanted(step))
        for name in registry
    }
    return {name: steps for name, steps in found.items() if steps}


def is_step_of(steps: dict[str, tuple[str, ...]]) -> ColumnElement[bool]:
    """A condition on :class:`Task`: its (activity type, step) is one of ``steps``.

    The activity is aliased so the condition also works in a query that joins Activity itself.
    """
    activity = aliased(Activity)
    return exists().where(
        activity.id == Task.activity_id,
        or_(*(and_(activity.type == name, Task.step.in_(names)) for name, names in steps.items())),
    )


def hand_over_tasks(
    session: Session,
    registry: ActivityRegistry,
    child_ids: Iterable[int],
    *,
    now: datetime,
    daily_cap: int | None = None,
) -> Handover:
    """Give the open pairing-teacher tasks of ``child_ids`` to each child's current teacher.

    ``daily_cap`` is the planner's ``max_per_teacher_per_day``; without it no day is changed.
    Children without a current pairing keep their tasks' assignees (the planner gives those to
    the head teacher). Does not commit.
    """
    steps = pairing_teacher_steps(registry)
    if not steps:
        return Handover()
    current = (
        select(Pairing.teacher_id)
        .where(Pairing.child_id == Task.child_id, Pairing.ended_on.is_(None))
        .scalar_subquery()
    )
    handed: list[tuple[int, int, date, int, str]] = []
    for batch in _batches(child_ids):
        statement = (
            update(Task)
            .where(
                Task.child_id.in_(batch),
                Task.state.in_(_OPEN),
                is_step_of(steps),
                current.is_not(None),
                Task.assignee_id.is_distinct_from(current),
            )
            .values(assignee_id=current, sequence=Task.sequence + 1, changed_at=now)
            .returning(Task.id, Task.assignee_id, Task.scheduled_on, Task.activity_id, Task.step)
            .execution_options(synchronize_session=False)
        )
        handed.extend(tuple(row) for row in session.execute(statement))  # type: ignore[misc]
    moved = 0
    if daily_cap is not None and handed:
        moved = _make_room(session, registry, handed, daily_cap)
    return Handover(len(handed), moved)


def _make_room(
    session: Session,
    registry: ActivityRegistry,
    handed: list[tuple[int, int, date, int, str]],
    cap: int,
) -> int:
    """Move handed-over spread tasks off days where their new teacher is over ``cap``."""
    spread = spread_steps(registry)
    if not spread:
        return 0
    types = dict(
        session.execute(
            select(Activity.id, Activity.type).where(
                Activity.id.in_({activity for _, _, _, activity, _ in handed})
            )
        ).all()  # type: ignore[arg-type]
    )
    candidates = [t for t in handed if t[4] in spread.get(types[t[3]], ())]
    if not candidates:
        return 0
    teachers = {teacher for _, teacher, _, _, _ in candidates}
    load: Counter[tuple[int, date]] = Counter()
    for teacher, day, count in session.execute(
        select(Task.assignee_id, Task.scheduled_on, func.count())
        .where(
            Task.assignee_id.in_(teachers),
            Task.state != TaskState.CANCELLED.value,
            is_step_of(spread),
        )
        .group_by(Task.assignee_id, Task.scheduled_on)
    ):
        load[teacher, day] = count
    crowded: defaultdict[tuple[int, date], list[tuple[int, int, str]]] = defaultdict(list)
    for task_id, teacher, day, activity, step in sorted(candidates):
        if load[teacher, day] > cap:
            crowded[teacher, day].append((task_id, activity, step))
    if not crowded:
        return 0
    keys = {(activity, step) for tasks in crowded.values() for _, activity, step in tasks}
    days = _step_days(session, registry, keys)
    moves = []
    for (teacher, day), tasks in sorted(crowded.items()):
        for task_id, activity, step in reversed(tasks):  # the newest tasks move first
            if load[teacher, day] <= cap:
                break
            free = _nearest_free(
                day, days[activity, step], [load[teacher, d] < cap for d in days[activity, step]]
            )
            if free is None:
                continue
            load[teacher, day] -= 1
            load[teacher, free] += 1
            moves.append({"id": task_id, "scheduled_on": free})
    if moves:
        session.execute(update(Task), moves)
    return len(moves)


def _step_days(
    session: Session, registry: ActivityRegistry, keys: set[tuple[int, str]]
) -> dict[tuple[int, str], list[date]]:
    """Days a task of each (activity, step) may move to: the days the planner may place it
    on, its step's window in the term calendar the activity was planned from (school days
    outside exam periods, or the break's duty days)."""
    rows = session.execute(
        select(Activity.id, Activity.type, Activity.key, Activity.starts_on, Activity.ends_on, Term)
        .join(Term, Term.id == Activity.term_id)
        .where(Activity.id.in_({activity for activity, _ in keys}))
    ).all()
    days: dict[tuple[int, str], list[date]] = {}
    for activity, type_name, key, first, last, term in rows:
        calendar = days_of(term_calendar(term), key)
        windows = step_windows(calendar, registry.get(type_name), first, last, key, [])
        for window in windows:
            if (activity, window.step.name) in keys:
                days[activity, window.step.name] = list(window.days)
    return days


def _nearest_free(day: date, days: Sequence[date], room: Sequence[bool]) -> date | None:
    """The day of ``days`` (with ``room`` on it) nearest ``day``; the later one on a tie."""
    ranked = sorted(
        (abs((d - day).days), d < day, d) for d, free in zip(days, room, strict=True) if free
    )
    return next((d for _, _, d in ranked if d != day), None)


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    iterator = iter(sorted(set(ids)))
    while batch := list(islice(iterator, BATCH)):
        yield batch


def hand_over_new_pairings(
    session: Session,
    registry: ActivityRegistry,
    school_id: int,
    *,
    started_on: date,
    now: datetime,
    daily_cap: int | None = None,
) -> Handover:
    """After a roster import: hand over the tasks of the school's pairings started that day.

    The import writes pairings without knowing the activity types; this makes the talks of
    every child whose pairing it changed follow the new teacher, as a manual change does.
    """

    child_ids = session.scalars(
        select(Pairing.child_id)
        .join(Child, Child.id == Pairing.child_id)
        .where(
            Child.school_id == school_id,
            Pairing.started_on == started_on,
            Pairing.ended_on.is_(None),
        )
    ).all()
    return hand_over_tasks(session, registry, child_ids, now=now, daily_cap=daily_cap)
