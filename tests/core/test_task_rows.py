"""The one task-row join (guanai.core.task_rows) and the one "waits for an earlier stage"
rule (guanai.core.stages), on a school small enough to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.models import (
    Activity,
    Child,
    School,
    SchoolClass,
    Task,
    TaskState,
    Teacher,
    Term,
)
from guanai.core.schools import SCHOOL_TIMEZONE_NAME
from guanai.core.stages import waiting, waiting_for
from guanai.core.task_rows import ASSIGNEE, task_rows

DAY = date(2026, 10, 12)


@dataclass(frozen=True)
class Rows:
    """A head teacher's class, one child in it, and three tasks of one meeting."""

    invite: Task  # stage 0, about the child, assigned to the pairing teacher
    prepare: Task  # stage 0, about the class, assigned to no one
    meet: Task  # stage 1, about the child


@pytest.fixture
def rows(session: Session) -> Rows:
    school = School(code="S1", name="一小")
    term = Term(
        key="2026-autumn",
        name="秋季学期",
        starts_on=date(2026, 9, 1),
        ends_on=date(2027, 1, 29),
        timezone=SCHOOL_TIMEZONE_NAME,
        calendar_source="",
    )
    session.add_all([school, term])
    session.flush()
    head = Teacher(school_id=school.id, code="T1", name="王老师")
    pairing = Teacher(school_id=school.id, code="T2", name="李老师")
    session.add_all([head, pairing])
    session.flush()
    klass = SchoolClass(school_id=school.id, grade=3, name="三年级1班", head_teacher_id=head.id)
    session.add(klass)
    session.flush()
    child = Child(school_id=school.id, class_id=klass.id, student_no="001", name="张小明")
    activity = Activity(
        term_id=term.id,
        school_id=school.id,
        type="meeting",
        key="m1",
        starts_on=DAY,
        ends_on=DAY,
        updated_at=datetime(2026, 9, 1, tzinfo=UTC),
    )
    session.add_all([child, activity])
    session.flush()

    def task(step: str, stage: int, **about: int | None) -> Task:
        subject = f"k{about['child_id']}" if about.get("child_id") else f"c{about['class_id']}"
        made = Task(
            activity_id=activity.id,
            step=step,
            subject=subject,
            stage=stage,
            scheduled_on=DAY,
            due_on=DAY,
            **about,
        )
        session.add(made)
        return made

    rows = Rows(
        task("invite", 0, child_id=child.id, class_id=klass.id, assignee_id=pairing.id),
        task("prepare", 0, class_id=klass.id),
        task("meet", 1, child_id=child.id, class_id=klass.id, assignee_id=pairing.id),
    )
    session.flush()
    return rows


def test_every_task_is_listed_with_its_child_class_and_assignee_where_it_has_them(
    session: Session, rows: Rows
) -> None:
    listed = session.execute(
        task_rows(Task.step, Activity.key, Child.name, SchoolClass.name, ASSIGNEE.name).order_by(
            Task.id
        )
    ).all()
    assert [tuple(row) for row in listed] == [
        ("invite", "m1", "张小明", "三年级1班", "李老师"),
        ("prepare", "m1", None, "三年级1班", None),
        ("meet", "m1", "张小明", "三年级1班", "李老师"),
    ]


def test_the_assignee_is_apart_from_any_other_teacher_the_query_joins(
    session: Session, rows: Rows
) -> None:
    query = (
        task_rows(ASSIGNEE.name, Teacher.name)
        .join(Teacher, Teacher.id == SchoolClass.head_teacher_id)
        .where(Task.id == rows.invite.id)
    )
    assert tuple(session.execute(query).one()) == ("李老师", "王老师")


def test_a_query_reading_no_joined_column_costs_no_join(session: Session, rows: Rows) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the plan's wording is SQLite's")
    statement = task_rows(Task.id).where(Activity.key == "m1")
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = " ".join(
        str(row[3])
        for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
    )
    assert "activity" in plan
    for dropped in ("child", "school_class", "assignee"):
        assert dropped not in plan


def test_a_later_stage_waits_while_an_earlier_one_of_its_subject_is_open(
    session: Session, rows: Rows
) -> None:
    def waiting_steps() -> list[str]:
        session.flush()
        return list(session.scalars(select(Task.step).where(waiting()).order_by(Task.id)))

    assert waiting_steps() == ["meet"]  # "prepare" is the class's, not the child's
    assert waiting_for(session, rows.meet) == ["invite"]
    assert waiting_for(session, rows.invite) == []

    rows.invite.state = TaskState.CANCELLED.value
    assert waiting_steps() == []
    assert waiting_for(session, rows.meet) == []

    rows.invite.state = TaskState.OVERDUE.value
    assert waiting_steps() == ["meet"]
    rows.invite.state = TaskState.DONE.value
    assert waiting_for(session, rows.meet) == []


def test_the_steps_waited_for_come_by_stage_then_name(session: Session, rows: Rows) -> None:
    first = Task(
        activity_id=rows.meet.activity_id,
        step="ask",
        subject=rows.meet.subject,
        stage=0,
        scheduled_on=DAY,
        due_on=DAY,
    )
    later = Task(
        activity_id=rows.meet.activity_id,
        step="follow_up",
        subject=rows.meet.subject,
        stage=2,
        scheduled_on=DAY,
        due_on=DAY,
    )
    session.add_all([first, later])
    session.flush()
    assert waiting_for(session, later) == ["ask", "invite", "meet"]
