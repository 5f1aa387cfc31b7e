"""Case plans (帮扶计划): learning-support plans and key children's individual education plans.

The plans ask each subject teacher to write a learning-support plan for the children assigned
to them, grouped by need (分类、分组), "明确帮扶时间、内容和阶段性效果", to check it regularly and
to keep a progress archive (进步档案); a key child with serious problems gets an individual
education plan (个别教育管理方案) whose measures are followed up. A case plan here is either:

- ``learning``: goals, times, content and milestones (阶段性效果目标), for one child or a group;
- ``individual``: problems and measures, for key assistance targets only.

Each plan names its children, its teachers and its check dates. Opening or revising it writes
a :class:`~guanai.core.models.CasePlanVersion` holding everything as it then is, so every
revision is kept. The check dates become tasks of the type that runs the plan's kind
(``ActivityType.case_plan``): for each date an activity ``case:<plan>:<date>`` in the term
holding the date, and a task per child and teacher, due on the date and due to start
:data:`CHECK_LEAD_DAYS` days before, reminded and escalated like any task. The records the
teachers write are the child's progress archive (:func:`progress_archive`). A revision cancels
the open check tasks it no longer wants and keeps the done ones; closing the plan, with its
outcome, cancels the open ones. Functions take the session first and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session

from guanai.core.activity import CASE_KINDS
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.errors import GuanaiError, NotFoundError
from guanai.core.i18n import Label
from guanai.core.models import (
    Activity,
    AuditEvent,
    CasePlan,
    CasePlanCheck,
    CasePlanChild,
    CasePlanTeacher,
    CasePlanVersion,
    Child,
    Record,
    SchoolClass,
    Task,
    TaskState,
    Teacher,
    Term,
)
from guanai.core.occurrences import CASE_PREFIX
from guanai.core.pairing import today_at_school
from guanai.core.text import UnsafeText, clean_text

CHECK_LEAD_DAYS = 7
"""A check's task becomes due this many days before its date (from the term's first day)."""
MAX_TEXT = 10_000

KIND_LABELS: dict[str, Label] = {
    "learning": Label("学习帮扶计划", "learning-support plan"),
    "individual": Label("个别教育管理方案", "individual education plan"),
}
TEXTS: dict[str, tuple[tuple[str, Label], ...]] = {
    "learning": (
        ("goals", Label("帮扶目标", "goals")),
        ("times", Label("帮扶时间", "times")),
        ("content", Label("帮扶内容", "content")),
        ("milestones", Label("阶段性效果目标", "milestones")),
    ),
    "individual": (
        ("problems", Label("存在问题", "problems")),
        ("measures", Label("教育管理措施", "measures")),
    ),
}
"""The texts of each kind of plan, every one required, by key."""
OPEN = "open"
CLOSED = "closed"
STATUS_LABELS = {OPEN: Label("进行中", "open"), CLOSED: Label("已结束", "closed")}
_LIVE_STATES = (
    TaskState.PENDING.value,
    TaskState.DUE.value,
    TaskState.OVERDUE.value,
    TaskState.ESCALATED.value,
)


class CasePlanError(GuanaiError):
    """A case plan asked for is not valid: the message names the field, never a child's name."""


@dataclass(frozen=True)
class PlanChanges:
    """What a revision changes; None keeps it as it is."""

    title: str | None = None
    children: Sequence[str] | None = None  # student numbers
    teachers: Sequence[str] | None = None  # teacher codes
    texts: Mapping[str, str] | None = None  # only the texts given change
    checks: Sequence[date] | None = None


@dataclass(frozen=True)
class CheckView:
    due_on: date
    done: int  # tasks done
    open: int  # tasks not done nor cancelled


@dataclass(frozen=True)
class VersionView:
    version: int
    revised_at: datetime
    revised_by: str
    note: str | None
    content: dict[str, Any]


@dataclass(frozen=True)
class CasePlanView:
    id: int
    kind: str
    title: str
    status: str
    opened_on: date
    closed_on: date | None
    outcome: str | None
    children: tuple[tuple[str, str, str], ...]  # (student no, name, class)
    teachers: tuple[tuple[str, str], ...]  # (code, name)
    texts: dict[str, str]
    checks: tuple[CheckView, ...]
    versions: tuple[VersionView, ...]


def labelled_texts(view: CasePlanView) -> list[tuple[Label, str]]:
    """A plan's texts with their labels, in the kind's order."""
    return [(label, view.texts[key]) for key, label in TEXTS[view.kind] if key in view.texts]


@dataclass(frozen=True)
class CasePlanRow:
    id: int
    kind: str
    title: str
    status: str
    children: int
    next_check: date | None


@dataclass(frozen=True)
class ArchiveEntry:
    """One check of the child's progress archive (进步档案): a task of a plan, and its record."""

    plan_id: int
    plan_title: str
    kind: str
    due_on: date
    student_no: str
    child: str
    teacher_id: int | None
    teacher: str | None
    state: str
    record: dict[str, Any] | None


def open_plan(
    session: Session,
    registry: ActivityRegistry,
    school_id: int,
    kind: str,
    request: PlanChanges,
    *,
    actor: str,
    now: datetime,
) -> int:
    """Open a plan of ``kind`` with everything ``request`` gives (all of it is required);
    return its id."""
    if kind not in CASE_KINDS:
        raise CasePlanError(
            Label(f"计划类型须为 {'、'.join(CASE_KINDS)} 之一", f"kind must be one of {CASE_KINDS}")
        )
    if None in (request.title, request.children, request.teachers, request.texts, request.checks):
        raise CasePlanError(
            Label(
                "新计划须有标题、学生、教师、各项内容和检查日期",
                "a new plan needs a title, children, teachers, its texts and check dates",
            )
        )
    today = today_at_school(now)
    plan = CasePlan(
        school_id=school_id,
        kind=kind,
        title=_title(request.title or ""),
        opened_on=today,
        version=0,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    session.add(plan)
    session.flush()
    _apply(session, registry, plan, request, {}, note=None, actor=actor, now=now, new=True)
    return plan.id


def revise_plan(
    session: Session,
    registry: ActivityRegistry,
    plan_id: int,
    changes: PlanChanges,
    *,
    note: str | None,
    actor: str,
    now: datetime,
) -> int:
    """Revise an open plan; the new version keeps the history. Return the version number."""
    plan = _plan(session, plan_id, for_update=True)
    if plan.closed_on is not None:
        raise CasePlanError(
            Label(f"计划 {plan_id} 已结束，不能修改", f"plan {plan_id} is closed and cannot change")
        )
    current = _current_content(session, plan)
    if changes == PlanChanges():
        raise CasePlanError(Label("没有要修改的内容", "nothing to change"))
    _apply(session, registry, plan, changes, current, note=note, actor=actor, now=now)
    return plan.version


def close_plan(session: Session, plan_id: int, outcome: str, *, actor: str, now: datetime) -> None:
    """Close an open plan with its outcome; its open check tasks are cancelled."""
    row = _plan(session, plan_id, for_update=True)
    if row.closed_on is not None:
        raise CasePlanError(Label(f"计划 {plan_id} 已结束", f"plan {plan_id} is already closed"))
    row.outcome = _text(outcome, Label("结果", "outcome"))
    row.closed_on = today_at_school(now)
    row.updated_at, row.updated_by = now, actor
    cancelled = _cancel_tasks(session, _plan_tasks(plan_id), now)
    session.add(_audit("case_plan.close", row, actor, now, {"cancelled_tasks": cancelled}))
    session.flush()


def plan_school(session: Session, plan_id: int) -> tuple[int, frozenset[int]]:
    """The plan's school and its teachers' ids (for the access rule)."""
    plan = _plan(session, plan_id)
    teachers = session.scalars(
        select(CasePlanTeacher.teacher_id).where(CasePlanTeacher.plan_id == plan_id)
    )
    return plan.school_id, frozenset(teachers)


def plan_view(session: Session, plan_id: int) -> CasePlanView:
    plan = _plan(session, plan_id)
    content = _current_content(session, plan)
    children = session.execute(
        select(Child.student_no, Child.name, SchoolClass.name)
        .join(CasePlanChild, CasePlanChild.child_id == Child.id)
        .join(SchoolClass, SchoolClass.id == Child.class_id)
        .where(CasePlanChild.plan_id == plan_id)
        .order_by(Child.student_no)
    ).all()
    teachers = session.execute(
        select(Teacher.code, Teacher.name)
        .join(CasePlanTeacher, CasePlanTeacher.teacher_id == Teacher.id)
        .where(CasePlanTeacher.plan_id == plan_id)
        .order_by(Teacher.code)
    ).all()
    checks = _check_counts(session, plan_id)
    versions = session.scalars(
        select(CasePlanVersion)
        .where(CasePlanVersion.plan_id == plan_id)
        .order_by(CasePlanVersion.version)
    )
    return CasePlanView(
        plan.id,
        plan.kind,
        plan.title,
        CLOSED if plan.closed_on else OPEN,
        plan.opened_on,
        plan.closed_on,
        plan.outcome,
        tuple((no, name, klass) for no, name, klass in children),
        tuple((code, name) for code, name in teachers),
        dict(content.get("texts", {})),
        checks,
        tuple(
            VersionView(v.version, v.revised_at, v.revised_by, v.note, v.content) for v in versions
        ),
    )


def school_plans(
    session: Session,
    school_id: int,
    *,
    today: date,
    kind: str | None = None,
    child_id: int | None = None,
    teacher_id: int | None = None,
) -> list[CasePlanRow]:
    """The school's plans (of ``kind``, of one child, naming one teacher), open ones first,
    newest first, each with its next check from ``today``."""
    counts = (
        select(CasePlanChild.plan_id, func.count().label("n"))
        .group_by(CasePlanChild.plan_id)
        .subquery()
    )
    next_check = (
        select(func.min(CasePlanCheck.due_on))
        .where(CasePlanCheck.plan_id == CasePlan.id, CasePlanCheck.due_on >= today)
        .correlate(CasePlan)
        .scalar_subquery()
    )
    query = (
        select(
            CasePlan.id,
            CasePlan.kind,
            CasePlan.title,
            CasePlan.closed_on,
            func.coalesce(counts.c.n, 0),
            next_check,
        )
        .outerjoin(counts, counts.c.plan_id == CasePlan.id)
        .where(CasePlan.school_id == school_id)
        .order_by(CasePlan.closed_on.is_not(None), CasePlan.id.desc())
    )
    if kind is not None:
        query = query.where(CasePlan.kind == kind)
    if child_id is not None:
        query = query.where(
            exists().where(CasePlanChild.plan_id == CasePlan.id, CasePlanChild.child_id == child_id)
        )
    if teacher_id is not None:
        query = query.where(
            exists().where(
                CasePlanTeacher.plan_id == CasePlan.id, CasePlanTeacher.teacher_id == teacher_id
            )
        )
    return [
        CasePlanRow(id_, kind_, title, CLOSED if closed else OPEN, int(n), upcoming)
        for id_, kind_, title, closed, n, upcoming in session.execute(query)
    ]


def progress_archive(session: Session, child_id: int) -> list[ArchiveEntry]:
    """The child's progress archive: every check task of every plan naming the child, with
    the record written, by date. Private fields are in the records: the caller decides what
    the viewer may see."""
    return _archive(session, Task.child_id == child_id, Activity.key.like(f"{CASE_PREFIX}%"))


def plan_archive(session: Session, plan_id: int) -> list[ArchiveEntry]:
    """The checks of one plan, every child's, with their records, by date (the reviews)."""
    return _archive(session, Activity.key.like(f"{CASE_PREFIX}{plan_id}:%"))


def _archive(session: Session, *conditions: ColumnElement[bool]) -> list[ArchiveEntry]:
    rows = session.execute(
        select(
            Activity.key,
            Task.due_on,
            Child.student_no,
            Child.name,
            Task.assignee_id,
            Teacher.name,
            Task.state,
            Record.data,
        )
        .select_from(Task)
        .join(Activity, Activity.id == Task.activity_id)
        .join(Child, Child.id == Task.child_id)
        .outerjoin(Teacher, Teacher.id == Task.assignee_id)
        .outerjoin(Record, Record.task_id == Task.id)
        .where(*conditions, Task.state != TaskState.CANCELLED.value)
        .order_by(Task.due_on, Child.student_no, Task.id)
    ).all()
    plan_ids = {plan_of(key) for key, *_ in rows}
    plans = {
        row.id: row
        for row in session.execute(
            select(CasePlan.id, CasePlan.title, CasePlan.kind).where(CasePlan.id.in_(plan_ids))
        )
    }
    return [
        ArchiveEntry(plan_of(key), plans[plan_of(key)].title, plans[plan_of(key)].kind, due, *rest)
        for key, due, *rest in rows
    ]


def record_labels(registry: ActivityRegistry, kind: str) -> dict[str, Label]:
    """The labels of the record fields of a kind's checks, by key."""
    name = registry.case_type(kind)
    if name is None:
        return {}
    return {f.name: f.label for step in registry.get(name).steps for f in step.record}


def plan_of(activity_key: str) -> int:
    """The plan id in a check activity's key (``case:<plan>:<date>``)."""
    return int(activity_key.removeprefix(CASE_PREFIX).split(":", 1)[0])


def key_children_without_plan(session: Session, school_id: int) -> list[tuple[str, str, str]]:
    """The enrolled key assistance targets with no open individual plan: (student no, name,
    class), by class and number."""
    has_plan = (
        exists()
        .where(
            CasePlanChild.child_id == Child.id,
            CasePlan.id == CasePlanChild.plan_id,
            CasePlan.kind == "individual",
            CasePlan.closed_on.is_(None),
        )
        .correlate(Child)
    )
    rows = session.execute(
        select(Child.student_no, Child.name, SchoolClass.name)
        .join(SchoolClass, SchoolClass.id == Child.class_id)
        .where(
            Child.school_id == school_id,
            Child.enrolment_status == "enrolled",
            Child.key_target,
            ~has_plan,
        )
        .order_by(SchoolClass.grade, SchoolClass.name, Child.student_no)
    ).all()
    return [(no, name, klass) for no, name, klass in rows]


# --- writing ---------------------------------------------------------------------------------


def _plan(session: Session, plan_id: int, *, for_update: bool = False) -> CasePlan:
    query = select(CasePlan).where(CasePlan.id == plan_id)
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFoundError(Label(f"没有编号为 {plan_id} 的计划", f"no plan number {plan_id}"))
    return row


def _current_content(session: Session, plan: CasePlan) -> dict[str, Any]:
    content = session.scalar(
        select(CasePlanVersion.content).where(
            CasePlanVersion.plan_id == plan.id, CasePlanVersion.version == plan.version
        )
    )
    return dict(content or {})


def _apply(
    session: Session,
    registry: ActivityRegistry,
    plan: CasePlan,
    changes: PlanChanges,
    current: dict[str, Any],
    *,
    note: str | None,
    actor: str,
    now: datetime,
    new: bool = False,
) -> None:
    """Check ``changes`` against ``current``, write the new version and its sets, and bring
    the check tasks in line."""
    today = today_at_school(now)
    kind = plan.kind
    if changes.title is not None:
        plan.title = _title(changes.title)
    texts = dict(current.get("texts", {}))
    if changes.texts is not None:
        known = dict(TEXTS[kind])
        unknown = [key for key in changes.texts if key not in known]
        if unknown:
            names = Label("、".join(label.zh for label in known.values()), ", ".join(known))
            raise CasePlanError(
                Label(
                    f"{KIND_LABELS[kind].zh}没有「{'、'.join(unknown)}」这一项（可填：{names.zh}）",
                    f"a {KIND_LABELS[kind].en} has no {', '.join(unknown)} (it has: {names.en})",
                )
            )
        texts.update({key: _text(value, known[key]) for key, value in changes.texts.items()})
    missing = [label for key, label in TEXTS[kind] if not texts.get(key)]
    if missing:
        raise CasePlanError(
            Label(
                f"{KIND_LABELS[kind].zh}缺少：{'、'.join(label.zh for label in missing)}",
                f"the {KIND_LABELS[kind].en} lacks: {', '.join(label.en for label in missing)}",
            )
        )
    children = (
        _children(session, plan.school_id, kind, changes.children)
        if changes.children is not None
        else _stored_children(session, plan.id)
    )
    teachers = (
        _teachers(session, plan.school_id, changes.teachers)
        if changes.teachers is not None
        else _stored_teachers(session, plan.id)
    )
    old_checks = {date.fromisoformat(d) for d in current.get("checks", [])}
    checks = sorted(set(changes.checks)) if changes.checks is not None else sorted(old_checks)
    if not checks:
        raise CasePlanError(Label("至少要有一个检查日期", "give at least one check date"))
    for day in checks:
        if day not in old_checks and day < today:
            raise CasePlanError(
                Label(f"检查日期 {day} 已经过去", f"the check date {day} is in the past")
            )
    terms = _terms_for(session, checks)
    plan.version += 1
    plan.updated_at, plan.updated_by = now, actor
    content = {
        "title": plan.title,
        "texts": texts,
        "children": sorted(children),
        "teachers": sorted(teachers),
        "checks": [d.isoformat() for d in checks],
    }
    session.add(
        CasePlanVersion(
            plan_id=plan.id,
            version=plan.version,
            content=content,
            note=_text(note, Label("修改说明", "note")) if note else None,
            revised_at=now,
            revised_by=actor,
        )
    )
    _replace_sets(session, plan.id, children.values(), teachers.values(), checks)
    session.flush()
    counts = _schedule(session, registry, plan, children.values(), teachers.values(), terms, now)
    action = "case_plan.open" if new else "case_plan.revise"
    fields = ("title", "children", "teachers", "texts", "checks")
    changed = [name for name in fields if getattr(changes, name) is not None]
    detail = {"version": plan.version, "changed": changed, **counts}
    session.add(_audit(action, plan, actor, now, detail))
    session.flush()


def _title(title: str) -> str:
    text = _text(title, Label("标题", "title"))
    if len(text) > 200:
        raise CasePlanError(Label("标题超过 200 个字", "the title is longer than 200 characters"))
    return text


def _text(value: str, name: Label) -> str:
    try:
        text = clean_text(str(value), multiline=True).strip()
    except UnsafeText as error:
        raise CasePlanError(
            Label(f"{name.zh}：{error.reason.zh}", f"{name.en}: {error.reason.en}")
        ) from None
    if not text:
        raise CasePlanError(Label(f"{name.zh}为空", f"the {name.en} is empty"))
    if len(text) > MAX_TEXT:
        raise CasePlanError(
            Label(f"{name.zh}超过 {MAX_TEXT} 个字", f"the {name.en} is over {MAX_TEXT} characters")
        )
    return text


def _children(
    session: Session, school_id: int, kind: str, numbers: Sequence[str]
) -> dict[str, int]:
    """Student no. -> child id of the enrolled children ``numbers`` names (all must exist)."""
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    if not wanted:
        raise CasePlanError(Label("至少要有一名学生", "name at least one child"))
    rows = session.execute(
        select(Child.student_no, Child.id, Child.enrolment_status, Child.key_target).where(
            Child.school_id == school_id, Child.student_no.in_(wanted)
        )
    ).all()
    found = {row.student_no: row for row in rows}
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise CasePlanError(
            Label(f"本校没有学号 {'、'.join(unknown)}", f"no student no. {', '.join(unknown)}")
        )
    gone = [n for n in wanted if found[n].enrolment_status != "enrolled"]
    if gone:
        raise CasePlanError(
            Label(f"学号 {'、'.join(gone)} 不在读", f"student no. {', '.join(gone)} not enrolled")
        )
    if kind == "individual":
        others = [n for n in wanted if not found[n].key_target]
        if others:
            raise CasePlanError(
                Label(
                    f"学号 {'、'.join(others)} 不是重点帮扶对象：个别教育方案只为重点帮扶对象制定",
                    f"student no. {', '.join(others)} is not a key assistance target: "
                    "individual plans are for key targets",
                )
            )
    return {n: found[n].id for n in wanted}


def _teachers(session: Session, school_id: int, codes: Sequence[str]) -> dict[str, int]:
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        raise CasePlanError(Label("至少要有一名教师", "name at least one teacher"))
    found = dict(
        session.execute(
            select(Teacher.code, Teacher.id).where(
                Teacher.school_id == school_id, Teacher.code.in_(wanted)
            )
        ).all()  # type: ignore[arg-type]
    )
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise CasePlanError(
            Label(f"本校没有工号 {'、'.join(unknown)}", f"no teacher code {', '.join(unknown)}")
        )
    return {c: found[c] for c in wanted}


def _stored_children(session: Session, plan_id: int) -> dict[str, int]:
    return dict(
        session.execute(
            select(Child.student_no, Child.id)
            .join(CasePlanChild, CasePlanChild.child_id == Child.id)
            .where(CasePlanChild.plan_id == plan_id)
        ).all()  # type: ignore[arg-type]
    )


def _stored_teachers(session: Session, plan_id: int) -> dict[str, int]:
    return dict(
        session.execute(
            select(Teacher.code, Teacher.id)
            .join(CasePlanTeacher, CasePlanTeacher.teacher_id == Teacher.id)
            .where(CasePlanTeacher.plan_id == plan_id)
        ).all()  # type: ignore[arg-type]
    )


def _terms_for(session: Session, days: Iterable[date]) -> dict[date, Term]:
    """The planned term holding each day; a day in no term is refused, naming it."""
    terms = session.scalars(select(Term).order_by(Term.starts_on)).all()
    found: dict[date, Term] = {}
    for day in days:
        term = next((t for t in terms if t.starts_on <= day <= t.ends_on), None)
        if term is None:
            raise CasePlanError(
                Label(
                    f"检查日期 {day} 不在任何已计划的学期内：先计划学期（guanai plan）",
                    f"the check date {day} is in no planned term: plan the term first "
                    "(guanai plan)",
                )
            )
        found[day] = term
    return found


def _replace_sets(
    session: Session,
    plan_id: int,
    children: Iterable[int],
    teachers: Iterable[int],
    checks: Iterable[date],
) -> None:
    for table in (CasePlanChild, CasePlanTeacher, CasePlanCheck):
        session.execute(delete(table).where(table.plan_id == plan_id))
    session.execute(insert(CasePlanChild), [{"plan_id": plan_id, "child_id": c} for c in children])
    session.execute(
        insert(CasePlanTeacher), [{"plan_id": plan_id, "teacher_id": t} for t in teachers]
    )
    session.execute(insert(CasePlanCheck), [{"plan_id": plan_id, "due_on": d} for d in checks])


def _plan_tasks(plan_id: int) -> Any:
    """The ids of the plan's check tasks (a subquery)."""
    return (
        select(Task.id)
        .join(Activity, Activity.id == Task.activity_id)
        .where(Activity.key.like(f"{CASE_PREFIX}{plan_id}:%"))
    )


def _cancel_tasks(session: Session, ids: Any, now: datetime) -> int:
    result = session.execute(
        update(Task)
        .where(Task.id.in_(ids), Task.state.in_(_LIVE_STATES))
        .values(state=TaskState.CANCELLED.value, sequence=Task.sequence + 1, changed_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _schedule(
    session: Session,
    registry: ActivityRegistry,
    plan: CasePlan,
    children: Iterable[int],
    teachers: Iterable[int],
    terms: dict[date, Term],
    now: datetime,
) -> dict[str, int]:
    """Make the plan's check tasks what its dates, children and teachers say: new ones
    created, unwanted open ones cancelled, cancelled wanted ones reopened; done ones kept."""
    type_name = registry.case_type(plan.kind)
    if type_name is None:
        raise CasePlanError(
            Label(
                f"没有插件提供{KIND_LABELS[plan.kind].zh}的检查类型",
                f"no plugin provides the check type of a {KIND_LABELS[plan.kind].en}",
            )
        )
    step = registry.get(type_name).steps[0].name
    classes: dict[int, int] = {
        child_id: class_id
        for child_id, class_id in session.execute(
            select(Child.id, Child.class_id).where(Child.id.in_(list(children)))
        )
    }
    teacher_ids = list(teachers)
    wanted_keys = {f"{CASE_PREFIX}{plan.id}:{day.isoformat()}": day for day in terms}
    activities = _activities(session, plan, type_name, wanted_keys, terms, now)
    existing = {
        (row.activity_id, row.subject): row
        for row in session.execute(
            select(Task.id, Task.activity_id, Task.subject, Task.state).where(
                Task.id.in_(_plan_tasks(plan.id))
            )
        )
    }
    inserts, reopen = [], []
    for key, day in wanted_keys.items():
        activity_id = activities[key]
        start = max(terms[day].starts_on, day - timedelta(days=CHECK_LEAD_DAYS))
        for child_id, class_id in classes.items():
            for teacher_id in teacher_ids:
                subject = f"k{child_id}t{teacher_id}"
                row = existing.pop((activity_id, subject), None)
                if row is None:
                    inserts.append(
                        {
                            "activity_id": activity_id,
                            "step": step,
                            "subject": subject,
                            "stage": 0,
                            "class_id": class_id,
                            "child_id": child_id,
                            "assignee_id": teacher_id,
                            "scheduled_on": start,
                            "due_on": day,
                            "state": TaskState.PENDING.value,
                            "sequence": 0,
                            "changed_at": now,
                        }
                    )
                elif row.state == TaskState.CANCELLED.value:
                    reopen.append(row.id)
    if inserts:
        session.execute(insert(Task), inserts)
    if reopen:
        session.execute(
            update(Task)
            .where(Task.id.in_(reopen))
            .values(state=TaskState.PENDING.value, sequence=Task.sequence + 1, changed_at=now)
            .execution_options(synchronize_session=False)
        )
    cancelled = _cancel_tasks(session, [row.id for row in existing.values()], now)
    _cancel_empty_activities(session, plan.id, set(activities.values()), now)
    return {
        "created_tasks": len(inserts),
        "reopened_tasks": len(reopen),
        "cancelled_tasks": cancelled,
    }


def _activities(
    session: Session,
    plan: CasePlan,
    type_name: str,
    wanted: dict[str, date],
    terms: dict[date, Term],
    now: datetime,
) -> dict[str, int]:
    """Activity key -> id of each check date's activity, created or revived as needed."""
    stored = {
        row.key: row
        for row in session.execute(
            select(Activity.id, Activity.key, Activity.cancelled).where(
                Activity.school_id == plan.school_id, Activity.key.in_(list(wanted))
            )
        )
    }
    ids: dict[str, int] = {}
    for key, day in wanted.items():
        row = stored.get(key)
        if row is None:
            ids[key] = session.scalars(
                insert(Activity)
                .values(
                    term_id=terms[day].id,
                    school_id=plan.school_id,
                    type=type_name,
                    key=key,
                    starts_on=max(terms[day].starts_on, day - timedelta(days=CHECK_LEAD_DAYS)),
                    ends_on=day,
                    cancelled=False,
                    updated_at=now,
                )
                .returning(Activity.id)
            ).one()
        else:
            ids[key] = row.id
            if row.cancelled:
                session.execute(
                    update(Activity)
                    .where(Activity.id == row.id)
                    .values(cancelled=False, updated_at=now)
                )
    return ids


def _cancel_empty_activities(session: Session, plan_id: int, keep: set[int], now: datetime) -> None:
    """The plan's activities no longer wanted and without a done task are cancelled."""
    done = (
        exists()
        .where(Task.activity_id == Activity.id, Task.state == TaskState.DONE.value)
        .correlate(Activity)
    )
    session.execute(
        update(Activity)
        .where(
            Activity.key.like(f"{CASE_PREFIX}{plan_id}:%"),
            Activity.id.not_in(keep),
            Activity.cancelled.is_(False),
            ~done,
        )
        .values(cancelled=True, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def _check_counts(session: Session, plan_id: int) -> tuple[CheckView, ...]:
    days = session.scalars(
        select(CasePlanCheck.due_on)
        .where(CasePlanCheck.plan_id == plan_id)
        .order_by(CasePlanCheck.due_on)
    ).all()
    counts: dict[date, list[int]] = {day: [0, 0] for day in days}
    rows = session.execute(
        select(Task.due_on, Task.state, func.count())
        .where(Task.id.in_(_plan_tasks(plan_id)))
        .group_by(Task.due_on, Task.state)
    )
    for day, state, n in rows:
        if day in counts and state == TaskState.DONE.value:
            counts[day][0] += n
        elif day in counts and state in _LIVE_STATES:
            counts[day][1] += n
    return tuple(CheckView(day, *counts[day]) for day in days)


def _audit(
    action: str, plan: CasePlan, actor: str, now: datetime, detail: dict[str, Any]
) -> AuditEvent:
    """Who did what to which plan: numbers and field names only, never the plan's texts."""
    return AuditEvent(
        at=now,
        actor=actor,
        action=action,
        entity="case_plan",
        entity_id=plan.id,
        detail={"kind": plan.kind, **detail},
    )
