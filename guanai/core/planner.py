"""``plan``: expand a term calendar into activities and tasks with stable identities.

Planning is idempotent. An activity is identified by (term, school, key) and a task by
(activity, step, subject), so re-planning after a calendar edit updates open tasks in place,
cancels open tasks that are no longer planned, reopens cancelled ones that come back, and never
touches a task that is done. Work goes school by school, with set-based reads and batched
writes, so memory stays bounded at city scale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from guanai.core.activity import Coverage, Role
from guanai.core.bulk import insert_rows
from guanai.core.calendar import TermCalendar
from guanai.core.errors import CalendarError
from guanai.core.i18n import Label
from guanai.core.models import (
    Activity,
    AuditEvent,
    Child,
    Pairing,
    School,
    SchoolClass,
    Task,
    TaskState,
    Teacher,
    Term,
)
from guanai.core.occurrences import Occurrence, StepWindow, expand_plan
from guanai.core.pm import ActivityRegistry
from guanai.core.spreading import DaySpreader

TASK_COLUMNS = (
    "activity_id",
    "step",
    "subject",
    "stage",
    "class_id",
    "child_id",
    "assignee_id",
    "scheduled_on",
    "due_on",
    "state",
)


@dataclass
class PlanSummary:
    """What one run of ``plan`` did, summed over the schools it planned."""

    term_key: str
    schools: int = 0
    activities_created: int = 0
    activities_cancelled: int = 0
    created: int = 0
    updated: int = 0
    reopened: int = 0
    cancelled: int = 0
    unchanged: int = 0
    kept_done: int = 0
    unpaired_children: int = 0
    over_capacity: int = 0
    warnings: list[Label] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return (
            self.created
            + self.updated
            + self.reopened
            + self.cancelled
            + self.activities_created
            + self.activities_cancelled
        )


@dataclass(frozen=True)
class _Wanted:
    """A task the plan wants: its identity and the fields planning owns."""

    stage: int
    class_id: int | None
    child_id: int | None
    assignee_id: int | None
    scheduled_on: date
    due_on: date


@dataclass(frozen=True)
class _School:
    id: int
    coordinator: int | None
    classes: list[tuple[int, int | None]]  # (class id, head teacher id)
    children: list[tuple[int, int]]  # (child id, class id)
    pairings: dict[int, int]  # child id -> teacher id


def check_plan_types(calendar: TermCalendar, registry: ActivityRegistry) -> None:
    for entry in calendar.plan:
        if entry.activity_type not in registry:
            raise CalendarError(
                Label(
                    f"日历文件 {calendar.source}，{entry.where}.type：未知的活动类型 "
                    f"{entry.activity_type!r}（已安装：{', '.join(registry)}）",
                    f"calendar file {calendar.source}, {entry.where}.type: unknown activity type "
                    f"{entry.activity_type!r} (installed: {', '.join(registry)})",
                )
            )


def plan_term(
    session: Session,
    calendar: TermCalendar,
    registry: ActivityRegistry,
    *,
    actor: str,
    now: datetime,
    max_per_teacher_per_day: int,
    school_ids: Sequence[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> PlanSummary:
    """Plan (or re-plan) ``calendar`` for every school, or those in ``school_ids``.

    Writes in the caller's transaction and does not commit.
    """
    check_plan_types(calendar, registry)
    summary = PlanSummary(calendar.key)
    if calendar.provisional_entries:
        names = "、".join(sorted({str(e.name.zh) for e in calendar.provisional_entries}))
        names_en = ", ".join(sorted({e.name.en for e in calendar.provisional_entries}))
        summary.warnings.append(
            Label(
                f"注意：日历 {calendar.source} 中的假期「{names}」是暂定的（尚无官方放假通知），"
                "通知发布后请更新日历并重新计划。",
                f"WARNING: holidays {names_en} in {calendar.source} are PROVISIONAL (no official "
                "notice yet); update the calendar and re-plan when it is published.",
            )
        )
    types = {name: registry.get(name) for name in registry}
    occurrences = expand_plan(calendar, types, summary.warnings)
    term = _upsert_term(session, calendar, now)
    query = select(School.id).order_by(School.id)
    if school_ids is not None:
        query = query.where(School.id.in_(school_ids))
    for school_id in session.scalars(query).all():
        _plan_school(
            session,
            term,
            _load_school(session, school_id),
            occurrences,
            now,
            max_per_teacher_per_day,
            summary,
        )
        summary.schools += 1
        if progress is not None:
            progress(1)
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action="plan",
            entity="term",
            entity_id=term.id,
            detail={k: v for k, v in vars(summary).items() if isinstance(v, int)},
        )
    )
    return summary


def _upsert_term(session: Session, calendar: TermCalendar, now: datetime) -> Term:
    term = session.scalars(select(Term).where(Term.key == calendar.key)).one_or_none()
    if term is None:
        term = Term(key=calendar.key)
        session.add(term)
    term.name = calendar.name.zh
    term.starts_on, term.ends_on = calendar.starts_on, calendar.ends_on
    term.timezone = calendar.timezone
    term.calendar_source = calendar.text
    term.planned_at = now
    session.flush()
    return term


def _load_school(session: Session, school_id: int) -> _School:
    coordinator = session.scalars(
        select(Teacher.id)
        .where(Teacher.school_id == school_id, Teacher.is_coordinator)
        .order_by(Teacher.id)
        .limit(1)
    ).first()
    classes = session.execute(
        select(SchoolClass.id, SchoolClass.head_teacher_id)
        .where(SchoolClass.school_id == school_id)
        .order_by(SchoolClass.grade, SchoolClass.id)
    ).all()
    children = session.execute(
        select(Child.id, Child.class_id)
        .where(Child.school_id == school_id, Child.enrolment_status == "enrolled")
        .order_by(Child.id)
    ).all()
    pairings = session.execute(
        select(Pairing.child_id, Pairing.teacher_id)
        .join(Child, Child.id == Pairing.child_id)
        .where(Child.school_id == school_id, Pairing.ended_on.is_(None))
    ).all()
    return _School(
        school_id,
        coordinator,
        [tuple(c) for c in classes],  # type: ignore[misc]
        [tuple(c) for c in children],  # type: ignore[misc]
        dict(pairings),  # type: ignore[arg-type]
    )


def _assignee(
    school: _School, role: Role, class_head: int | None, child_id: int | None
) -> int | None:
    if role is Role.PAIRING_TEACHER and child_id is not None and child_id in school.pairings:
        return school.pairings[child_id]
    if role is Role.COORDINATOR:
        return school.coordinator
    return class_head if class_head is not None else school.coordinator


def _subjects(
    school: _School, window: StepWindow
) -> Iterator[tuple[str, int | None, int | None, int | None]]:
    """(subject key, class id, child id, assignee) for each task of one step window."""
    role = window.step.role
    if window.coverage is Coverage.SCHOOL:
        yield "s", None, None, _assignee(school, role, None, None)
    elif window.coverage is Coverage.CLASS:
        for class_id, head in school.classes:
            yield f"c{class_id}", class_id, None, _assignee(school, role, head, None)
    else:
        heads = dict(school.classes)
        for child_id, class_id in school.children:
            yield (
                f"k{child_id}",
                class_id,
                child_id,
                _assignee(school, role, heads.get(class_id), child_id),
            )


def _plan_school(
    session: Session,
    term: Term,
    school: _School,
    occurrences: list[Occurrence],
    now: datetime,
    cap: int,
    summary: PlanSummary,
) -> None:
    activity_ids = _sync_activities(session, term.id, school.id, occurrences, now, summary)
    existing: dict[tuple[int, str, str], Any] = {
        (row.activity_id, row.step, row.subject): row
        for row in session.execute(
            select(
                Task.id,
                Task.activity_id,
                Task.step,
                Task.subject,
                Task.state,
                Task.stage,
                Task.class_id,
                Task.child_id,
                Task.assignee_id,
                Task.scheduled_on,
                Task.due_on,
            )
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.term_id == term.id, Activity.school_id == school.id)
        )
    }
    unpaired = sum(1 for child_id, _ in school.children if child_id not in school.pairings)
    wanted = _wanted_tasks(school, occurrences, activity_ids, existing, cap, summary)
    if any(w.step.role is Role.PAIRING_TEACHER for o in occurrences for w in o.windows):
        summary.unpaired_children += unpaired
    inserts: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    for key, want in wanted.items():
        row = existing.pop(key, None)
        if row is None:
            inserts.append(
                (
                    *key,
                    want.stage,
                    want.class_id,
                    want.child_id,
                    want.assignee_id,
                    want.scheduled_on,
                    want.due_on,
                    TaskState.PENDING.value,
                )
            )
        elif row.state == TaskState.DONE:
            summary.kept_done += 1
        elif row.state == TaskState.CANCELLED:
            updates.append({"id": row.id, **vars(want), "state": TaskState.PENDING.value})
            summary.reopened += 1
        elif _differs(row, want):
            updates.append({"id": row.id, **vars(want), "state": TaskState.PENDING.value})
            summary.updated += 1
        else:
            summary.unchanged += 1
    to_cancel = [
        row.id
        for row in existing.values()
        if row.state not in (TaskState.DONE, TaskState.CANCELLED)
    ]
    summary.kept_done += sum(1 for row in existing.values() if row.state == TaskState.DONE)
    summary.created += insert_rows(session, Task.__table__, TASK_COLUMNS, inserts)  # type: ignore[arg-type]
    if updates:
        session.execute(update(Task), updates)
    for start in range(0, len(to_cancel), 1000):
        session.execute(
            update(Task)
            .where(Task.id.in_(to_cancel[start : start + 1000]))
            .values(state=TaskState.CANCELLED.value)
        )
    summary.cancelled += len(to_cancel)


def _differs(row: Any, want: _Wanted) -> bool:
    return (
        row.stage,
        row.class_id,
        row.child_id,
        row.assignee_id,
        row.scheduled_on,
        row.due_on,
    ) != (
        want.stage,
        want.class_id,
        want.child_id,
        want.assignee_id,
        want.scheduled_on,
        want.due_on,
    )


def _wanted_tasks(
    school: _School,
    occurrences: list[Occurrence],
    activity_ids: dict[str, int],
    existing: dict[tuple[int, str, str], Any],
    cap: int,
    summary: PlanSummary,
) -> dict[tuple[int, str, str], _Wanted]:
    wanted: dict[tuple[int, str, str], _Wanted] = {}
    spreader = DaySpreader(cap)
    for occurrence in occurrences:
        activity_id = activity_ids[occurrence.key]
        for window in occurrence.windows:
            step = window.step.name
            to_place: defaultdict[int | None, list[tuple[str, int | None, int | None]]] = (
                defaultdict(list)
            )
            for subject, class_id, child_id, assignee in _subjects(school, window):
                key = (activity_id, step, subject)
                day = window.starts_on
                if window.days:
                    row = existing.get(key)
                    keep = (
                        row is not None
                        and row.assignee_id == assignee
                        and row.state != TaskState.CANCELLED
                        and spreader.keep(assignee, row.scheduled_on, window.days)
                    )
                    if not keep:
                        to_place[assignee].append((subject, class_id, child_id))
                        continue
                    day = row.scheduled_on
                wanted[key] = _Wanted(
                    window.stage, class_id, child_id, assignee, day, window.due_on
                )
            for assignee, items in to_place.items():
                before = spreader.overflows
                days = spreader.place(assignee, window.days, len(items))
                summary.over_capacity += spreader.overflows - before
                for (subject, class_id, child_id), day in zip(items, days, strict=True):
                    wanted[activity_id, step, subject] = _Wanted(
                        window.stage, class_id, child_id, assignee, day, window.due_on
                    )
    return wanted


def _sync_activities(
    session: Session,
    term_id: int,
    school_id: int,
    occurrences: list[Occurrence],
    now: datetime,
    summary: PlanSummary,
) -> dict[str, int]:
    """Create, move, cancel or revive the school's activities; return their ids by key."""
    rows = {
        a.key: a
        for a in session.execute(
            select(
                Activity.id, Activity.key, Activity.starts_on, Activity.ends_on, Activity.cancelled
            ).where(Activity.term_id == term_id, Activity.school_id == school_id)
        )
    }
    new = []
    changed = []
    for o in occurrences:
        row = rows.pop(o.key, None)
        if row is None:
            new.append(
                {
                    "term_id": term_id,
                    "school_id": school_id,
                    "type": o.activity_type.name,
                    "key": o.key,
                    "starts_on": o.starts_on,
                    "ends_on": o.ends_on,
                    "cancelled": False,
                    "updated_at": now,
                }
            )
        elif (row.starts_on, row.ends_on, row.cancelled) != (o.starts_on, o.ends_on, False):
            changed.append(
                {
                    "id": row.id,
                    "starts_on": o.starts_on,
                    "ends_on": o.ends_on,
                    "cancelled": False,
                    "updated_at": now,
                }
            )
    removed = [
        {"id": row.id, "cancelled": True, "updated_at": now}
        for row in rows.values()
        if not row.cancelled
    ]
    if new:
        session.execute(insert(Activity), new)
    if changed or removed:
        session.execute(update(Activity), changed + removed)
    summary.activities_created += len(new)
    summary.activities_cancelled += len(removed)
    return dict(
        session.execute(
            select(Activity.key, Activity.id).where(
                Activity.term_id == term_id, Activity.school_id == school_id
            )
        ).all()  # type: ignore[arg-type]
    )
