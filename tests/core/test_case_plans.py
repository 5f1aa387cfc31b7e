"""Case plans: a learning-support plan's checks become teachers' tasks, their records the
child's progress archive; revisions keep the history; individual plans are for key targets."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from export_samples import read_book
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from guanai.core.access import Viewer
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar, load_calendar
from guanai.core.case_plans import (
    CasePlanError,
    PlanChanges,
    close_plan,
    key_children_without_plan,
    open_plan,
    plan_view,
    progress_archive,
    revise_plan,
    school_plans,
)
from guanai.core.config import Settings
from guanai.core.demo import create_demo_school
from guanai.core.engine import complete, plan_term, tick
from guanai.core.ledgers import write_ledger
from guanai.core.models import AuditEvent, CasePlanVersion, Child, Task, TaskState
from guanai.core.pm import build_plugin_manager

OCT_1 = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TEXTS = {"goals": "数学跟上进度", "times": "每周二、四放学后", "content": "讲解错题",
         "milestones": "期中数学及格"}  # fmt: skip


@pytest.fixture(scope="module")
def autumn() -> TermCalendar:
    return load_calendar("2026-autumn")


@pytest.fixture(scope="module")
def registry(autumn: TermCalendar) -> ActivityRegistry:
    plugins = build_plugin_manager(load_entry_points=False).activity_registry()
    return plugins.including(autumn.key, autumn.activities, autumn.source)


@pytest.fixture
def school(session: Session, autumn: TermCalendar, registry: ActivityRegistry) -> int:
    school_id = create_demo_school(session, children=30)
    plan_term(session, autumn, registry, actor="t", now=datetime(2026, 8, 25, tzinfo=UTC),
              max_per_teacher_per_day=3)  # fmt: skip
    session.commit()
    return school_id


def numbers(session: Session, school: int, count: int) -> list[str]:
    return list(
        session.scalars(
            select(Child.student_no)
            .where(Child.school_id == school)
            .order_by(Child.id)
            .limit(count)
        )
    )


def learning(session, registry, school, **changes):  # type: ignore[no-untyped-def]
    request = {
        "title": "三年级数学帮扶小组",
        "children": numbers(session, school, 2),
        "teachers": ["T002", "T003"],
        "texts": TEXTS,
        "checks": [date(2026, 10, 20), date(2026, 11, 20)],
        **changes,
    }
    return open_plan(
        session, registry, school, "learning", PlanChanges(**request), actor="关爱办", now=OCT_1
    )


def check_tasks(session: Session, *states: str) -> list[Task]:
    query = select(Task).where(Task.step == "check").order_by(Task.due_on, Task.id)
    if states:
        query = query.where(Task.state.in_(states))
    return list(session.scalars(query))


def test_each_check_date_is_a_task_per_child_and_teacher(session, registry, school):
    plan = learning(session, registry, school)
    tasks = check_tasks(session)
    assert len(tasks) == 2 * 2 * 2
    october = [t for t in tasks if t.due_on == date(2026, 10, 20)]
    assert {t.scheduled_on for t in october} == {date(2026, 10, 13)}, "due a week before"
    view = plan_view(session, plan)
    assert (view.status, view.texts, [c.due_on for c in view.checks]) == (
        "open",
        TEXTS,
        [date(2026, 10, 20), date(2026, 11, 20)],
    )
    assert [code for code, _ in view.teachers] == ["T002", "T003"]
    [row] = school_plans(session, school, today=date(2026, 10, 21))
    assert (row.children, row.next_check) == (2, date(2026, 11, 20))


def test_a_check_becomes_due_and_escalates_like_any_task(session, registry, school):
    learning(session, registry, school)
    settings = Settings()
    tick(session, datetime(2026, 10, 13, 2, tzinfo=UTC), registry, settings)
    assert len(check_tasks(session, TaskState.DUE.value)) == 4
    late = date(2026, 10, 20).toordinal() + settings.escalate_after_days + 1
    tick(session, datetime.combine(date.fromordinal(late), datetime.min.time(), UTC), registry,
         settings)  # fmt: skip
    assert len(check_tasks(session, TaskState.ESCALATED.value)) == 4


def test_records_of_the_checks_are_the_childs_progress_archive(session, registry, school):
    plan = learning(session, registry, school)
    task = check_tasks(session)[0]
    record = {"date": "2026-10-19", "done": "讲了分数", "result": "错题减半", "milestone_met": "否"}
    complete(session, registry, task.id, record, actor="T002",
             now=datetime(2026, 10, 19, 8, tzinfo=UTC))  # fmt: skip
    archive = progress_archive(session, task.child_id)
    assert [(e.plan_id, e.due_on, e.state) for e in archive] == [
        (plan, date(2026, 10, 20), "done"),
        (plan, date(2026, 10, 20), "pending"),
        (plan, date(2026, 11, 20), "pending"),
        (plan, date(2026, 11, 20), "pending"),
    ]
    assert archive[0].record["result"] == "错题减半" and archive[0].record["milestone_met"] is False
    assert plan_view(session, plan).checks[0].done == 1


def test_a_revision_keeps_the_history_and_the_done_checks(session, registry, school):
    plan = learning(session, registry, school)
    done_task = check_tasks(session)[0]
    session.execute(update(Task).where(Task.id == done_task.id).values(state="done"))
    version = revise_plan(
        session,
        registry,
        plan,
        PlanChanges(teachers=["T002"], checks=[date(2026, 12, 10)], texts={"goals": "期末及格"}),
        note="期中后调整",
        actor="关爱办",
        now=OCT_1,
    )
    assert version == 2
    live = check_tasks(session, TaskState.PENDING.value)
    assert [(t.due_on, t.assignee_id) for t in live] == [
        (date(2026, 12, 10), live[0].assignee_id)
    ] * 2
    assert session.get(Task, done_task.id).state == "done", "a done check is never undone"
    versions = session.scalars(
        select(CasePlanVersion).where(CasePlanVersion.plan_id == plan).order_by("version")
    ).all()
    assert [v.content["texts"]["goals"] for v in versions] == ["数学跟上进度", "期末及格"]
    assert versions[0].content["teachers"] == ["T002", "T003"] and versions[1].note == "期中后调整"
    audit = session.scalars(select(AuditEvent.detail).where(AuditEvent.entity == "case_plan"))
    assert all("数学" not in str(detail) for detail in audit), "no plan text in the audit"


def test_closing_keeps_the_outcome_and_cancels_the_open_checks(session, registry, school):
    plan = learning(session, registry, school)
    close_plan(session, plan, "期中数学及格，结束帮扶", actor="关爱办", now=OCT_1)
    view = plan_view(session, plan)
    assert (view.status, view.outcome, view.closed_on) == ("closed", "期中数学及格，结束帮扶",
                                                           date(2026, 10, 1))  # fmt: skip
    assert check_tasks(session, TaskState.PENDING.value) == []
    with pytest.raises(CasePlanError, match="已结束"):
        revise_plan(session, registry, plan, PlanChanges(title="再开"), note=None, actor="x",
                    now=OCT_1)  # fmt: skip


def test_a_re_plan_of_the_term_leaves_the_checks_alone(session, registry, school, autumn):
    learning(session, registry, school)
    plan_term(session, autumn, registry, actor="t", now=OCT_1, max_per_teacher_per_day=3)
    assert len(check_tasks(session, TaskState.PENDING.value)) == 8


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"children": ["404404"]}, "404404"),
        ({"teachers": ["T999"]}, "T999"),
        ({"checks": [date(2027, 8, 1)]}, "不在任何已计划的学期内"),
        ({"checks": [date(2026, 9, 20)]}, "已经过去"),
        ({"checks": []}, "至少要有一个检查日期"),
        ({"texts": {**TEXTS, "milestones": " "}}, "阶段性效果目标"),
        ({"texts": {**TEXTS, "mood": "好"}}, "mood"),
    ],
)
def test_a_bad_plan_is_refused_naming_what_is_wrong(session, registry, school, changes, words):
    with pytest.raises(CasePlanError, match=words):
        learning(session, registry, school, **changes)


def test_an_individual_plan_is_for_key_targets_and_shows_who_has_none(session, registry, school):
    key = session.scalars(
        select(Child.student_no).where(Child.school_id == school, Child.key_target)
    ).all()
    assert key, "the demo school has key targets"
    other = session.scalars(
        select(Child.student_no).where(Child.school_id == school, ~Child.key_target)
    ).first()
    request = {"title": "个别教育方案", "teachers": ["T002"], "checks": [date(2026, 10, 30)],
               "texts": {"problems": "厌学", "measures": "每周谈心"}}  # fmt: skip
    with pytest.raises(CasePlanError, match="不是重点帮扶对象"):
        open_plan(session, registry, school, "individual",
                  PlanChanges(children=[other], **request), actor="x", now=OCT_1)  # fmt: skip
    before = {no for no, _, _ in key_children_without_plan(session, school)}
    assert before == set(key)
    open_plan(session, registry, school, "individual", PlanChanges(children=[key[0]], **request),
              actor="x", now=OCT_1)  # fmt: skip
    after = {no for no, _, _ in key_children_without_plan(session, school)}
    assert after == set(key) - {key[0]}
    reviews = session.scalar(select(func.count()).select_from(Task).where(Task.step == "review"))
    assert reviews == 1


def test_a_check_recorded_is_a_row_of_the_ledgers_sheet_without_its_private_fields(
    session, registry, school, tmp_path
):
    learning(session, registry, school)
    task = check_tasks(session)[0]
    record = {"date": "2026-10-19", "done": "讲了分数", "result": "错题减半", "milestone_met": "是"}
    complete(session, registry, task.id, record, actor="T002",
             now=datetime(2026, 10, 19, 8, tzinfo=UTC))  # fmt: skip
    session.commit()
    path = tmp_path / "ledger.xlsx"
    write_ledger(session, path, registry=registry, viewer=Viewer("教育局", "bureau"))
    book = read_book(path)
    sheet = book["学习帮扶检查记录"]
    assert list(sheet[0])[5:] == ["事项", "负责人", "检查日期", "达到阶段目标"]
    [row] = sheet[1:]
    assert row[5] == "学习帮扶检查：检查帮扶效果" and row[8] == "是"
    assert "*" in row[4], "the child's name masked for the bureau"
    texts = [str(cell) for rows in book.values() for r in rows for cell in r if cell is not None]
    assert not any("错题减半" in t or "讲了分数" in t for t in texts)


def test_the_ledger_lists_the_terms_plans_without_their_texts(session, registry, school, tmp_path):
    plan = learning(session, registry, school)
    close_plan(session, learning(session, registry, school, title="已结束的小组"), "期中及格",
               actor="关爱办", now=datetime(2026, 10, 2, tzinfo=UTC))  # fmt: skip
    complete(session, registry, check_tasks(session)[0].id,
             {"date": "2026-10-19", "done": "讲了分数", "result": "错题减半", "milestone_met": "是"},
             actor="T002", now=datetime(2026, 10, 19, 8, tzinfo=UTC))  # fmt: skip
    session.commit()
    child = session.get(Child, check_tasks(session)[0].child_id)
    for viewer, title in ((Viewer("关爱办", "coordinator"), "三年级数学帮扶小组"),
                          (Viewer("教育局", "bureau"), None)):  # fmt: skip
        path = tmp_path / f"{viewer.role}.xlsx"
        write_ledger(session, path, registry=registry, viewer=viewer)
        book = read_book(path)
        sheet = book["帮扶计划"]
        assert list(sheet[0]) == ["学校", "编号", "类型", "标题", "状态", "开始日期", "结束日期",
                                  "学生数", "学生", "帮扶教师", "已完成检查", "未完成检查"]  # fmt: skip
        rows = {row[1]: row for row in sheet[1:]}
        assert rows[plan][2:5] == ("学习帮扶计划", title, "进行中")
        assert rows[plan][7] == 2 and rows[plan][10:] == (1, 7)
        closed = rows[plan + 1]
        assert (closed[4], closed[5].date(), closed[6].date()) == (
            "已结束",
            date(2026, 10, 1),
            date(2026, 10, 2),
        )
        assert rows[plan + 1][10:] == (0, 0), "a closed plan's open checks are cancelled"
        shown = rows[plan][8]
        assert (child.name in shown) == (viewer.role == "coordinator")
        texts = [str(c) for rows_ in book.values() for r in rows_ for c in r if c is not None]
        assert not any(t in text for t in (*TEXTS.values(), "期中及格") for text in texts)
