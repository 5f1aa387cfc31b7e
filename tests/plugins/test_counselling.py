"""Counselling (心理咨询): for the children with psychological needs, held by the school's
counsellor, its record read only by the counsellor and the coordinator, and counted (never
shown) in a ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guanai.core.access import AccessError, Viewer
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import load_calendar
from guanai.core.demo import create_demo_school
from guanai.core.engine import complete, plan_term
from guanai.core.ledgers import write_ledger
from guanai.core.models import Activity, Child, Pairing, SchoolClass, Task, Teacher
from guanai.core.pm import build_plugin_manager
from guanai.core.task_detail import task_detail

SECRET = "父亲再婚后孩子夜里常哭"
SEPTEMBER = "counselling@month:2026-09/care=psychological"  # the shipped calendar's, monthly


@pytest.fixture(scope="module")
def registry() -> ActivityRegistry:
    return build_plugin_manager(load_entry_points=False).activity_registry()


@pytest.fixture
def counselled(session: Session, registry: ActivityRegistry, tmp_path: Path) -> dict[str, int]:
    """A demo school with a counsellor (T005) and two children with psychological needs, one of
    whose sessions is recorded; the ids of the task and of the people around the child."""
    school = create_demo_school(session, children=30)
    counsellor = session.scalars(select(Teacher).where(Teacher.code == "T005")).one()
    counsellor.is_counsellor = True
    session.execute(update(Child).values(care_categories=[]))
    first, second = session.scalars(select(Child).order_by(Child.id).limit(2)).all()
    first.care_categories = second.care_categories = ["psychological"]
    session.flush()
    calendar = load_calendar("2026-autumn")
    now = datetime(2026, 8, 25, tzinfo=UTC)
    plan_term(session, calendar, registry, actor="关爱办", now=now, max_per_teacher_per_day=3)
    tasks = session.scalars(
        select(Task).join(Activity).where(Activity.key == SEPTEMBER).order_by(Task.id)
    ).all()
    assert [t.child_id for t in tasks] == [first.id, second.id]
    assert {t.assignee_id for t in tasks} == {counsellor.id}
    record = {"date": "2026-09-14", "concerns": SECRET, "guidance": "每周约谈"}
    complete(
        session,
        registry,
        tasks[0].id,
        record,
        actor="T005",
        now=datetime(2026, 9, 14, 8, tzinfo=UTC),
    )
    head = session.scalar(
        select(SchoolClass.head_teacher_id).where(SchoolClass.id == first.class_id)
    )
    pairing = session.scalar(select(Pairing.teacher_id).where(Pairing.child_id == first.id))
    session.commit()
    return {"task": tasks[0].id, "school": school, "counsellor": counsellor.id, "head": head, "pairing": pairing}  # fmt: skip


def shown(session: Session, registry: ActivityRegistry, viewer: Viewer, task_id: int) -> str:
    detail = task_detail(session, viewer, registry, task_id)
    return " ".join(value.zh for _, value in detail.record)


def test_the_counsellor_and_the_coordinator_read_the_session(session, registry, counselled):
    coordinator = Viewer("关爱办", "coordinator", school_id=counselled["school"])
    counsellor = Viewer("心理老师", "teacher", counselled["counsellor"], counselled["school"])
    assert SECRET in shown(session, registry, coordinator, counselled["task"])
    assert SECRET in shown(session, registry, counsellor, counselled["task"])


@pytest.mark.parametrize("who", ["head", "pairing"])
def test_the_childs_other_teachers_may_not(session, registry, counselled, who):
    teacher = counselled[who]
    assert teacher not in (None, counselled["counsellor"])
    for role in ("head_teacher", "teacher"):
        viewer = Viewer("老师", role, teacher, counselled["school"])
        with pytest.raises(AccessError):
            task_detail(session, viewer, registry, counselled["task"])


def test_the_bureau_sees_the_date_never_what_was_said(session, registry, counselled):
    bureau = Viewer("教育局", "bureau")
    text = shown(session, registry, bureau, counselled["task"])
    assert "2026-09-14" in text and SECRET not in text and "每周约谈" not in text


def test_a_ledger_counts_sessions_and_holds_nothing_said(session, registry, counselled, tmp_path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(session, path, registry=registry, viewer=Viewer("关爱办", "coordinator"))
    book = openpyxl.load_workbook(path, read_only=True)
    values = [
        str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v
    ]
    assert not any(SECRET in v or "每周约谈" in v for v in values)
    rows = [r for r in book["活动开展"].iter_rows(values_only=True) if r[2] == SEPTEMBER]
    assert [(r[5], r[6]) for r in rows] == [(1, 2)]
