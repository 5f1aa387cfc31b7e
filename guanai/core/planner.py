"""``plan``: expand a term calendar into activities and tasks with stable identities.

Planning is idempotent. An activity is identified by (term, school, key) and a task by
(activity, step, subject), so re-planning after a calendar edit updates open tasks in place,
cancels open tasks that are no longer planned, reopens cancelled ones that come back, and never
touches a task that is done. Work goes school by school, with set-based reads and batched
writes, so memory stays bounded at city scale.

A school that starts mid-term is not handed the term's past. Its first plan sets
``School.planned_from`` to the plan's day (in the term's time zone), and no duty whose window
closed (``due_on``) before that day is planned; a per-child duty is also left out if it closed
before the child came onto the roster (``Child.joined_on``, set by the roster import). A
re-plan applies the same rule, so a pending task it now leaves out is cancelled; a done task
is never touched. What was left out is counted in :class:`PlanSummary`, by activity type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Update, and_, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from guanai.core.activity import Coverage, Role, Selection
from guanai.core.activity_registry import ActivityRegistry
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
from guanai.core.occurrences import (
    CASE_PREFIX,
    STUB_MONTH_SCHOOL_DAYS,
    Occurrence,
    StepWindow,
    expand_plan,
)
from guanai.core.spreading import DaySpreader, Week, week_of

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
    "changed_at",
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
    left_out: int = 0
    """Tasks not planned because their window closed before the school's first plan or the
    child's first day on the roster."""
    left_out_by_type: dict[str, int] = field(default_factory=dict)
    """:attr:`left_out` by activity type name."""
    same_week: int = 0
    """Children's tasks in the same ISO week as the same child's task of the same step in
    the previous occurrence, because the window had no other day with room."""
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


# The hot loops of planning handle millions of tasks at city scale, so a task the plan wants is
# a plain tuple in WANTED_FIELDS order, and an existing task a tuple in _EXISTING_FIELDS order
# (after its identity); a dataclass or SQLAlchemy row per task cost more than the insert itself.
WANTED_FIELDS = ("stage", "class_id", "child_id", "assignee_id", "scheduled_on", "due_on")
_EXISTING_FIELDS = ("id", "state", "sequence", *WANTED_FIELDS)
_ID, _STATE, _ASSIGNEE, _SCHEDULED = 0, 1, 6, 7  # positions in an existing task
_PLANNED = 3  # where the planned fields (WANTED_FIELDS) start in an existing task
_PENDING = TaskState.PENDING.value
_DONE = TaskState.DONE.value
_CANCELLED = TaskState.CANCELLED.value

_TaskKey = tuple[int, str, str]  # (activity id, step, subject)
_Subject = tuple[str, int | None, int | None, int | None]  # (subject, class, child, assignee)


@dataclass(frozen=True)
class _Child:
    """What a selection asks of a child (:class:`guanai.core.activity.Selection`)."""

    key_target: bool
    care_categories: tuple[str, ...]
    left_behind_type: str | None
    grade: int

    def selected_by(self, selection: Selection) -> bool:
        return selection.matches(
            self.key_target, self.care_categories, self.left_behind_type, self.grade
        )


@dataclass(frozen=True)
class _School:
    id: int
    coordinator: int | None
    counsellor: int | None
    classes: list[tuple[int, int | None]]  # (class id, head teacher id)
    children: list[tuple[int, int]]  # (child id, class id)
    pairings: dict[int, int]  # child id -> teacher id
    planned_from: date  # no duty closed before this day is planned
    joined: dict[int, date]  # child id -> first day on the roster, for children who have one
    traits: dict[int, _Child]  # child id -> what a selection asks of the child
    grades: dict[int, int]  # class id -> grade
    _subjects: dict[tuple[Coverage, Role, Selection], list[_Subject]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def subjects(self, coverage: Coverage, role: Role, selection: Selection) -> list[_Subject]:
        """(subject key, class id, child id, assignee) of every task of a step, in order.

        Built once per (coverage, role, selection) and school, since every month asks again.
        """
        key = (coverage, role, selection)
        cached = self._subjects.get(key)
        if cached is None:
            cached = self._subjects[key] = list(self._build_subjects(coverage, role, selection))
        return cached

    def _selected(self, selection: Selection) -> list[tuple[int, int]]:
        if selection.everyone:
            return self.children
        return [c for c in self.children if self.traits[c[0]].selected_by(selection)]

    def _build_subjects(
        self, coverage: Coverage, role: Role, selection: Selection
    ) -> Iterator[_Subject]:
        if coverage is Coverage.SCHOOL:
            yield "s", None, None, _assignee(self, role, None, None)
        elif coverage is Coverage.CLASS:
            wanted = {class_id for _, class_id in self._selected(selection)}
            only_grades = selection == Selection(grades=selection.grades)
            for class_id, head in self.classes:
                if (
                    selection.everyone
                    or class_id in wanted
                    or (only_grades and self.grades[class_id] in selection.grades)
                ):
                    yield f"c{class_id}", class_id, None, _assignee(self, role, head, None)
        else:
            heads = dict(self.classes)
            for child_id, class_id in self._selected(selection):
                yield (
                    f"k{child_id}",
                    class_id,
                    child_id,
                    _assignee(self, role, heads.get(class_id), child_id),
                )


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
        if registry.types[entry.activity_type].case_plan is not None:
            raise CalendarError(
                Label(
                    f"日历文件 {calendar.source}，{entry.where}.type：活动类型 "
                    f"{entry.activity_type!r} 的任务由帮扶计划的检查日期产生，不能写入日历"
                    "（guanai caseplan）",
                    f"calendar file {calendar.source}, {entry.where}.type: the tasks of "
                    f"{entry.activity_type!r} come from the check dates of case plans, not from "
                    "a calendar (guanai caseplan)",
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
    stub_month_school_days: int = STUB_MONTH_SCHOOL_DAYS,
) -> PlanSummary:
    """Plan (or re-plan) ``calendar`` for every school, or those in ``school_ids``, with the
    activity types of ``registry`` and those the calendar defines.

    ``stub_month_school_days`` is ``[planning] stub_month_school_days``. Writes in the caller's
    transaction and does not commit.
    """
    registry = registry.including(calendar.key, calendar.activities, calendar.source)
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
    occurrences = expand_plan(calendar, registry, summary.warnings, stub_month_school_days)
    term = _upsert_term(session, calendar, now)
    today = now.astimezone(calendar.tz).date()
    query = select(School.id).order_by(School.id)
    if school_ids is not None:
        query = query.where(School.id.in_(school_ids))
    for school_id in session.scalars(query).all():
        _plan_school(
            session,
            term,
            _load_school(session, school_id, today),
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


def _planned_from(session: Session, school_id: int, today: date) -> date:
    """The school's ``planned_from``, set on its first plan.

    A school planned before the column existed (its activities are there) has run guanai since
    its earliest planned term began: nothing of that is left out.
    """
    school = session.get_one(School, school_id)
    if school.planned_from is None:
        earliest = session.scalar(
            select(func.min(Term.starts_on))
            .join(Activity, Activity.term_id == Term.id)
            .where(Activity.school_id == school_id)
        )
        school.planned_from = min(earliest, today) if earliest is not None else today
    return school.planned_from


def _load_school(session: Session, school_id: int, today: date) -> _School:
    coordinator = session.scalars(
        select(Teacher.id)
        .where(Teacher.school_id == school_id, Teacher.is_coordinator)
        .order_by(Teacher.id)
        .limit(1)
    ).first()
    counsellor = session.scalars(
        select(Teacher.id)
        .where(Teacher.school_id == school_id, Teacher.is_counsellor)
        .order_by(Teacher.code)
        .limit(1)
    ).first()
    classes = session.execute(
        select(SchoolClass.id, SchoolClass.head_teacher_id, SchoolClass.grade)
        .where(SchoolClass.school_id == school_id)
        .order_by(SchoolClass.grade, SchoolClass.id)
    ).all()
    grades = {class_id: grade for class_id, _, grade in classes}
    children = session.execute(
        select(
            Child.id,
            Child.class_id,
            Child.joined_on,
            Child.key_target,
            Child.care_categories,
            Child.left_behind_type,
        )
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
        counsellor,
        [(class_id, head) for class_id, head, _ in classes],
        [(child, class_id) for child, class_id, *_ in children],
        dict(pairings),  # type: ignore[arg-type]
        _planned_from(session, school_id, today),
        {child: joined for child, _, joined, *_ in children if joined is not None},
        {
            child: _Child(bool(key), tuple(care or ()), left, grades[class_id])
            for child, class_id, _, key, care, left in children
        },
        grades,
    )


def _assignee(
    school: _School, role: Role, class_head: int | None, child_id: int | None
) -> int | None:
    if role is Role.PAIRING_TEACHER and child_id is not None and child_id in school.pairings:
        return school.pairings[child_id]
    if role is Role.COORDINATOR:
        return school.coordinator
    if role is Role.COUNSELLOR:
        return school.counsellor if school.counsellor is not None else school.coordinator
    return class_head if class_head is not None else school.coordinator


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
    task = Task.__table__
    activity = Activity.__table__
    # A Core select on the session's connection: rows come back as plain tuples, without the
    # ORM's per-row processing.
    query = (
        select(
            task.c.activity_id,
            task.c.step,
            task.c.subject,
            *(task.c[name] for name in _EXISTING_FIELDS),
        )
        .join(activity, activity.c.id == task.c.activity_id)
        .where(
            activity.c.term_id == term.id,
            activity.c.school_id == school.id,
            activity.c.key.not_like(f"{CASE_PREFIX}%"),
        )
    )
    existing: dict[_TaskKey, tuple[Any, ...]] = {
        row[:3]: row[3:] for row in session.connection().execute(query)
    }
    unpaired = sum(1 for child_id, _ in school.children if child_id not in school.pairings)
    wanted = _wanted_tasks(school, occurrences, activity_ids, existing, cap, summary)
    if any(w.step.role is Role.PAIRING_TEACHER for o in occurrences for w in o.windows):
        summary.unpaired_children += unpaired
    inserts: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    reopens: list[dict[str, Any]] = []
    unchanged = 0
    for key, want in wanted.items():
        row = existing.pop(key, None)
        if row is None:
            inserts.append((*key, *want, _PENDING, now))
        elif row[_STATE] == _DONE:
            summary.kept_done += 1
        elif row[_STATE] == _CANCELLED:
            reopens.append(_update(row, want, now))
        elif row[_PLANNED:] != want:
            updates.append(_update(row, want, now))
        else:
            unchanged += 1
    to_cancel = [row[_ID] for row in existing.values() if row[_STATE] not in (_DONE, _CANCELLED)]
    summary.kept_done += sum(1 for row in existing.values() if row[_STATE] == _DONE)
    summary.unchanged += unchanged
    summary.created += insert_rows(session, Task.__table__, TASK_COLUMNS, inserts)  # type: ignore[arg-type]
    # Each change applies only if the task is still as it was read: a task completed (or
    # re-planned) since is left alone, and counts as kept.
    connection = session.connection()
    summary.updated += _guarded(connection, _REPLAN, updates, summary)
    summary.reopened += _guarded(connection, _REOPEN, reopens, summary)
    for start in range(0, len(to_cancel), 1000):
        chunk = to_cancel[start : start + 1000]
        cancelled = connection.execute(_CANCEL.where(_TASK.c.id.in_(chunk)), {"now": now}).rowcount
        summary.cancelled += cancelled
        summary.kept_done += len(chunk) - cancelled


_TASK = Task.__table__
_LIVE = and_(_TASK.c.state != _DONE, _TASK.c.state != _CANCELLED)  # no IN: executemany
_PLANNED_VALUES = {
    **{name: bindparam(name) for name in WANTED_FIELDS},
    "state": _PENDING,
    # A planned change is material to whoever follows the task (e.g. in a calendar feed),
    # so it bumps the task's sequence and change time.
    "sequence": _TASK.c.sequence + 1,
    "changed_at": bindparam("now"),
}
_REPLAN = update(_TASK).where(_TASK.c.id == bindparam("task_id"), _LIVE).values(_PLANNED_VALUES)
_REOPEN = (
    update(_TASK)
    .where(_TASK.c.id == bindparam("task_id"), _TASK.c.state == _CANCELLED)
    .values(_PLANNED_VALUES)
)
_CANCEL = (
    update(_TASK)
    .where(_LIVE)
    .values(state=_CANCELLED, sequence=_TASK.c.sequence + 1, changed_at=bindparam("now"))
)


def _guarded(
    connection: Connection, statement: Update, params: list[dict[str, Any]], summary: PlanSummary
) -> int:
    """Run ``statement`` for each of ``params``; how many tasks it changed. The others were
    finished by someone else between the plan's read and its write."""
    if not params:
        return 0
    changed = connection.execute(statement, params).rowcount
    summary.kept_done += len(params) - changed
    return changed


def _update(row: tuple[Any, ...], want: tuple[Any, ...], now: datetime) -> dict[str, Any]:
    """The parameters that give existing task ``row`` the planned fields, pending again."""
    return {"task_id": row[_ID], **dict(zip(WANTED_FIELDS, want, strict=True)), "now": now}


def _wanted_tasks(
    school: _School,
    occurrences: list[Occurrence],
    activity_ids: dict[str, int],
    existing: dict[_TaskKey, tuple[Any, ...]],
    cap: int,
    summary: PlanSummary,
) -> dict[_TaskKey, tuple[Any, ...]]:
    """Every task the plan wants for ``school``: its key and fields in WANTED_FIELDS order."""
    wanted: dict[_TaskKey, tuple[Any, ...]] = {}
    spreader = DaySpreader(cap)
    latest_join = max(school.joined.values(), default=None)
    # (activity type, step) -> child's subject -> the week of its task in the last occurrence
    weeks_before: dict[tuple[str, str], dict[str, Week]] = {}
    for occurrence in occurrences:
        activity_id = activity_ids[occurrence.key]
        type_name = occurrence.activity_type.name
        for window in occurrence.windows:
            step = window.step.name
            stage, due_on = window.stage, window.due_on
            subjects = _planned_subjects(
                school, window, occurrence.selection, type_name, latest_join, summary
            )
            if not window.days:
                for subject, class_id, child_id, assignee in subjects:
                    wanted[activity_id, step, subject] = (
                        stage,
                        class_id,
                        child_id,
                        assignee,
                        window.starts_on,
                        due_on,
                    )
                continue
            allowed = frozenset(window.days)
            per_child = window.coverage is Coverage.CHILD
            before = weeks_before.get((type_name, step), {}) if per_child else {}
            window_weeks = {week_of(day) for day in window.days}
            # Only a window sharing a week with the last occurrence can put a child's task of
            # this step twice in one week; for the others the check is skipped.
            apart = not window_weeks.isdisjoint(before.values())
            movable = len(window_weeks) > 1
            to_place: defaultdict[int | None, list[tuple[_TaskKey, int | None, int | None]]] = (
                defaultdict(list)
            )
            for subject, class_id, child_id, assignee in subjects:
                key = (activity_id, step, subject)
                row = existing.get(key)
                if (
                    row is not None
                    and row[_ASSIGNEE] == assignee
                    and row[_STATE] != _CANCELLED
                    and not (
                        apart
                        and movable
                        and row[_STATE] != _DONE
                        and before.get(subject) == week_of(row[_SCHEDULED])
                    )
                    and spreader.keep(assignee, row[_SCHEDULED], allowed)
                ):
                    wanted[key] = (stage, class_id, child_id, assignee, row[_SCHEDULED], due_on)
                    if apart and not movable and before.get(subject) == week_of(row[_SCHEDULED]):
                        summary.same_week += 1
                else:
                    to_place[assignee].append((key, class_id, child_id))
            for assignee, items in to_place.items():
                before_overflows = spreader.overflows
                days = spreader.place(assignee, window.days, len(items))
                summary.over_capacity += spreader.overflows - before_overflows
                if apart:
                    avoid = [before.get(key[2]) for key, _, _ in items]
                    summary.same_week += spreader.keep_apart(assignee, window.days, days, avoid)
                for (key, class_id, child_id), day in zip(items, days, strict=True):
                    wanted[key] = (stage, class_id, child_id, assignee, day, due_on)
            if per_child:  # updated, not replaced: a run for some children leaves the others'
                weeks_before.setdefault((type_name, step), {}).update(
                    (subject, week_of(wanted[activity_id, step, subject][4]))
                    for subject, _, _, _ in subjects
                )
    return wanted


def _planned_subjects(
    school: _School,
    window: StepWindow,
    selection: Selection,
    type_name: str,
    latest_join: date | None,
    summary: PlanSummary,
) -> list[_Subject]:
    """The subjects of ``window`` whose duty is still open on their first day (the school's
    ``planned_from``, and a child's ``joined_on``); the others are counted as left out."""
    subjects = school.subjects(window.coverage, window.step.role, selection)
    due_on = window.due_on
    if due_on >= school.planned_from and (
        window.coverage is not Coverage.CHILD or latest_join is None or due_on >= latest_join
    ):
        return subjects
    if due_on < school.planned_from:
        kept: list[_Subject] = []
    else:
        joined = school.joined
        kept = [s for s in subjects if joined.get(s[2], due_on) <= due_on]  # type: ignore[arg-type]
    left = len(subjects) - len(kept)
    if left:
        summary.left_out += left
        summary.left_out_by_type[type_name] = summary.left_out_by_type.get(type_name, 0) + left
    return kept


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
            ).where(
                Activity.term_id == term_id,
                Activity.school_id == school_id,
                Activity.key.not_like(f"{CASE_PREFIX}%"),
            )
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
