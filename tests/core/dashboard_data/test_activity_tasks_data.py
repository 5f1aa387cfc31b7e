"""One workflow's tasks: counts from SQL, the order, keyset windows, open only, masking, and
what may not be completed (and why)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guanai.core.access import AccessError, Viewer
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import load_calendar
from guanai.core.dashboard_data import Scope, coordinator_scope
from guanai.core.dashboard_data.activity_tasks import ActivityTask, activity_tasks, refusal
from guanai.core.demo import create_demo_school
from guanai.core.engine import plan_term
from guanai.core.models import Activity, Child, Pairing, Task, TaskState
from guanai.core.pm import build_plugin_manager

NOW = datetime(2026, 8, 25, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
COORDINATOR = Viewer("office", "coordinator")
BUREAU = Viewer("bureau", "bureau")


@pytest.fixture(scope="module")
def registry() -> ActivityRegistry:
    return build_plugin_manager(load_entry_points=False).activity_registry()


@pytest.fixture
def scope(session: Session, registry: ActivityRegistry) -> Scope:
    """Two schools planned for the autumn term; the scope of the first."""
    create_demo_school(session, children=30)
    create_demo_school(session, code="OTHER", name="另一所小学", children=10, seed=7)
    plan_term(
        session,
        load_calendar("2026-autumn"),
        registry,
        actor="t",
        now=NOW,
        max_per_teacher_per_day=3,
    )
    session.commit()
    found = coordinator_scope(session, Viewer("office", "coordinator"), date(2026, 10, 20))
    assert found is not None and found.term_id is not None
    return found


def type_tasks(session: Session, scope: Scope, activity_type: str) -> list[Task]:
    return list(
        session.scalars(
            select(Task)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.type == activity_type, Activity.school_id == scope.school_id)
        )
    )


def every_row(
    session: Session, registry: ActivityRegistry, scope: Scope, kind: str, **options: bool
) -> list[ActivityTask]:
    rows: list[ActivityTask] = []
    after = None
    while True:
        window = activity_tasks(
            session, COORDINATOR, registry, scope, kind, after=after, size=7, **options
        )
        rows += window.rows
        if not window.has_next:
            return rows
        after = window.rows[-1].key


def finish(session: Session, task_ids: list[int], state: TaskState) -> None:
    session.execute(update(Task).where(Task.id.in_(task_ids)).values(state=state.value))
    session.commit()


def test_windows_walk_every_task_of_the_type_in_order_with_counts_from_sql(
    session: Session, registry: ActivityRegistry, scope: Scope
) -> None:
    tasks = type_tasks(session, scope, "exam_letters")
    finish(session, [tasks[0].id], TaskState.DONE)
    window = activity_tasks(session, COORDINATOR, registry, scope, "exam_letters", size=7)
    assert (window.total, window.open, len(window.rows), window.has_next) == (
        len(tasks),
        len(tasks) - 1,
        7,
        True,
    )
    rows = every_row(session, registry, scope, "exam_letters", open_only=False)
    assert sorted(row.task_id for row in rows) == sorted(task.id for task in tasks)
    assert [row.key for row in rows] == sorted(row.key for row in rows)
    assert rows[-1].task_id == tasks[0].id and rows[-1].state_label.zh == "已完成"  # open first
    steps = [row.step for row in rows[:-1]]
    declared = [step.name for step in registry.get("exam_letters").steps]
    assert steps == sorted(steps, key=declared.index)  # stage, then the declared step order
    firsts = [row for row in rows if row.step == declared[0]]
    assert [row.due_on for row in firsts] == sorted(row.due_on for row in firsts)


def test_open_only_leaves_out_done_and_cancelled_tasks(
    session: Session, registry: ActivityRegistry, scope: Scope
) -> None:
    tasks = type_tasks(session, scope, "guardian_meeting")
    finish(session, [tasks[0].id], TaskState.DONE)
    finish(session, [tasks[1].id], TaskState.CANCELLED)
    shown = {row.task_id for row in every_row(session, registry, scope, "guardian_meeting")}
    assert shown == {task.id for task in tasks[2:]}
    every = every_row(session, registry, scope, "guardian_meeting", open_only=False)
    assert {row.task_id for row in every} == {task.id for task in tasks}


def test_subjects_name_the_school_the_class_or_the_child_masked_unless_seen_in_full(
    session: Session, registry: ActivityRegistry, scope: Scope
) -> None:
    school = activity_tasks(session, COORDINATOR, registry, scope, "welcome_back").rows
    by_step = {row.step: row.subject for row in school}
    assert by_step["welcome_activity"] == scope.school_name
    assert by_step["confirm_pairings"].endswith("班")
    names = set(session.scalars(select(Child.name).where(Child.school_id == scope.school_id)))
    children = [row for row in school if row.step == "first_talk"]
    assert children and all(row.subject in names for row in children)
    masked = activity_tasks(session, BUREAU, registry, scope, "welcome_back").rows
    for row in masked:
        if row.step == "first_talk":
            assert row.subject not in names and row.subject[1:] == "*" * (len(row.subject) - 1)
    pairing = session.scalars(select(Pairing).where(Pairing.ended_on.is_(None))).first()
    assert pairing is not None
    teacher = Viewer("t", "teacher", teacher_id=pairing.teacher_id, school_id=scope.school_id)
    seen = activity_tasks(session, teacher, registry, scope, "welcome_back", size=500).rows
    own = {row.task_id for row in seen if row.subject in names}
    mine = session.scalars(
        select(Task.id)
        .join(Pairing, Pairing.child_id == Task.child_id)
        .join(Activity, Activity.id == Task.activity_id)
        .where(
            Pairing.teacher_id == pairing.teacher_id,
            Pairing.ended_on.is_(None),
            Activity.type == "welcome_back",
        )
    )
    assert own == set(mine)


def test_refusal_names_the_reason_or_lets_the_form_open(
    session: Session, registry: ActivityRegistry, scope: Scope
) -> None:
    rows = every_row(session, registry, scope, "guardian_meeting")
    invite = next(row for row in rows if row.step == "invite_guardians")
    meeting = next(row for row in rows if row.step == "hold_meeting" and row.waiting)
    assert refusal(session, COORDINATOR, registry, invite.task_id) is None
    reason = refusal(session, COORDINATOR, registry, meeting.task_id)
    assert reason is not None and reason.zh.endswith("须先完成步骤：通知监护人参会")
    assert reason.en.endswith("waits for step(s): Invite the guardians")
    finish(session, [invite.task_id], TaskState.DONE)
    reason = refusal(session, COORDINATOR, registry, invite.task_id)
    assert reason is not None and reason.en == f"task {invite.task_id} is already done"
    with pytest.raises(AccessError):
        refusal(session, BUREAU, registry, invite.task_id)
