"""``guanai caseplan``: a coordinator opens, revises and closes a plan at the terminal; its
checks are the teachers' tasks; the teachers named read it and nobody else does."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner, Result
from roster_samples import snapshot
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from guanai.cli import cli
from guanai.core import db
from guanai.core.demo import create_demo_school
from guanai.core.models import Account, Child, Task, Teacher
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager

COORDINATOR = "李主任"
NOW = "2026-10-09T09:00"
PLAN = (
    "caseplan", "open", "learning", "--title", "三年级数学帮扶小组",
    "--teacher", "T002", "--teacher", "T003", "--check", "2026-10-20", "--check", "2026-11-20",
    "--text", "帮扶目标=数学跟上进度", "--text", "帮扶时间=每周二放学后",
    "--text", "帮扶内容=讲解错题", "--text", "milestones=期中及格", "--now", NOW,
)  # fmt: skip

Run = Callable[..., Result]


@pytest.fixture
def run(database_url: str) -> Run:
    runner = CliRunner()
    pm: GuanaiPluginManager = build_plugin_manager(load_entry_points=False)

    def invoke(*args: str, actor: str = COORDINATOR) -> Result:
        return runner.invoke(cli, ["--db", database_url, "--as", actor, *args], obj=pm)

    return invoke


@pytest.fixture
def school_db(run: Run, database_url: str) -> Iterator[Engine]:
    """A demo school of 30 children, the autumn term planned, and accounts: the coordinator,
    T002's and T014's."""
    assert run("init").exit_code == 0
    engine = db.make_engine(database_url)
    with db.transaction(engine) as session:
        school = create_demo_school(session, children=30)
        session.add(Account(name=COORDINATOR, role="coordinator", school_id=school))
        for code, name in (("T002", "李老师"), ("T014", "周老师")):
            teacher = session.scalars(select(Teacher).where(Teacher.code == code)).one()
            session.add(Account(name=name, role="teacher", teacher_id=teacher.id, school_id=school))
    assert run("plan", "--now", "2026-08-25T09:00").exit_code == 0
    yield engine
    engine.dispose()


def children(engine: Engine, count: int = 2) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(Child.student_no).order_by(Child.id).limit(count)))


def checks(engine: Engine, state: str | None = None) -> int:
    query = select(func.count()).select_from(Task).where(Task.step == "check")
    if state is not None:
        query = query.where(Task.state == state)
    with Session(engine) as session:
        return int(session.scalar(query) or 0)


def test_a_plan_opened_shown_revised_and_closed(run, school_db):
    first, second = children(school_db)
    opened = run(*PLAN, "--child", first, "--child", second)
    assert opened.exit_code == 0, opened.output
    assert "已新建学习帮扶计划 1（2 名学生，2 个检查日期）" in opened.output
    assert checks(school_db) == 8
    shown = run("caseplan", "show", "1")
    assert (
        "阶段性效果目标：期中及格" in shown.output
        and "检查 2026-10-20：已完成 0，未完成 4" in shown.output
    )
    revised = run("caseplan", "revise", "1", "--teacher", "T002", "--note", "孙老师调走",
                  "--now", NOW)  # fmt: skip
    assert "第 2 版" in revised.output and checks(school_db, "pending") == 4
    assert "第 2 版 · 李主任" in run("caseplan", "show", "1").output
    closed = run("caseplan", "close", "1", "--outcome", "期中及格", "--now", NOW)
    assert closed.exit_code == 0 and checks(school_db, "pending") == 0
    assert "已结束" in run("caseplan", "list").output


def test_a_teacher_reads_the_plans_naming_them_and_may_not_change_them(run, school_db):
    first, second = children(school_db)
    assert run(*PLAN, "--child", first, "--child", second).exit_code == 0
    assert "三年级数学帮扶小组" in run("caseplan", "list", actor="李老师").output
    assert "还没有计划" in run("caseplan", "list", actor="周老师").output
    refused = run("caseplan", "show", "1", actor="周老师")
    assert refused.exit_code == 1 and "无权查看计划 1" in refused.output
    before = snapshot(school_db)
    denied = run("caseplan", "close", "1", "--outcome", "x", actor="李老师")
    assert denied.exit_code == 1 and "无权" in denied.output
    assert snapshot(school_db)[1] == before[1], "a refusal writes nothing"


def test_a_bad_plan_is_one_line_naming_the_problem_and_writes_nothing(run, school_db):
    before = snapshot(school_db)
    result = run(*PLAN, "--child", "404404")
    assert result.exit_code == 1 and "404404" in result.output
    assert result.output.strip().count("\n") == 0
    assert snapshot(school_db)[1] == before[1]


def test_the_archive_and_the_key_targets_without_a_plan(run, school_db):
    first, _ = children(school_db)
    assert run(*PLAN, "--child", first).exit_code == 0
    with Session(school_db) as session:
        task = session.scalars(
            select(Task.id).where(Task.step == "check").order_by(Task.id)
        ).first()
    done = run("complete", str(task), "检查日期=2026-10-19", "本阶段帮扶内容=讲分数",
               "阶段性效果=错题减半", "达到阶段目标=是", "--now", "2026-10-19T17:00")  # fmt: skip
    assert done.exit_code == 0, done.output
    archive = run("caseplan", "archive", first)
    assert "阶段性效果：错题减半" in archive.output and "达到阶段目标：是" in archive.output
    assert "名重点帮扶对象还没有个别教育方案" in run("caseplan", "missing").output


def test_in_the_archive_a_teacher_reads_others_checks_without_their_private_fields(run, school_db):
    first, _ = children(school_db)
    plan = [*PLAN[:5], "--teacher", "T002", "--teacher", "T014", *PLAN[9:]]
    assert run(*plan, "--child", first).exit_code == 0
    with Session(school_db) as session:
        mine = session.scalars(
            select(Task.id)
            .join(Teacher, Teacher.id == Task.assignee_id)
            .where(Task.step == "check", Teacher.code == "T002")
            .order_by(Task.id)
        ).first()
    done = run("complete", str(mine), "检查日期=2026-10-19", "本阶段帮扶内容=讲分数",
               "阶段性效果=错题减半", "达到阶段目标=是", "--now", "2026-10-19T17:00",
               actor="李老师")  # fmt: skip
    assert done.exit_code == 0, done.output
    own = run("caseplan", "archive", first, actor="李老师").output
    other = run("caseplan", "archive", first, actor="周老师").output
    assert "错题减半" in own
    assert "错题减半" not in other and "讲分数" not in other
    assert "达到阶段目标：是" in other and "检查日期：2026-10-19" in other
    reviews = run("caseplan", "show", "1", actor="周老师").output
    assert "检查记录：" in reviews and "达到阶段目标：是" in reviews
    assert "错题减半" not in reviews
    assert "错题减半" in run("caseplan", "show", "1").output
