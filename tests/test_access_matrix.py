"""Who may do and see what, through every command: one access rule for every front end.

A school (DEMO) and a second school (OTHER) share one database with accounts for each role.
Every CLI command is walked as no account, an unknown name, a teacher, a head teacher, the
coordinator of the other school and the bureau (and as DEMO's own coordinator, to show the
command works at all). A refused command says so in one line and leaves every row of the
database as it was; what an allowed one shows is narrowed to what the role may see. The
dashboard's side of the rule is in tests/plugins/dashboard/test_shell.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from roster_samples import snapshot
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from guanai.cli import cli
from guanai.core.case_plans import PlanChanges, open_plan
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.models import (
    Activity,
    CasePlan,
    Child,
    Pairing,
    School,
    SchoolClass,
    Task,
    TaskState,
    Teacher,
)
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager
from guanai.core.simulation import simulated_record

NOW = "2026-09-21T08:00"
IDENTITIES = ("none", "nobody", "teacher", "head_teacher", "other_coordinator", "bureau")
NAMES = {
    "nobody": "陌生人",
    "teacher": "王老师",
    "head_teacher": "陈班主任",
    "other_coordinator": "外校关爱办",
    "bureau": "教育局",
    "coordinator": "关爱办",
}
REFUSALS = ("无权", "没有账号", "只能")


@dataclass
class World:
    url: str
    engine: Engine
    pm: GuanaiPluginManager
    tmp: Path
    teacher_code: str
    head_teacher_code: str
    teacher_task: int  # a DEMO task assigned to the teacher
    others_task: int  # a DEMO task assigned to someone else
    child_no: str  # a DEMO child paired with neither of them
    child_names: list[str] = field(default_factory=list)
    runner: CliRunner = field(default_factory=CliRunner)
    made: int = 0

    def fresh(self, name: str) -> str:
        """A path no earlier run wrote: each identity's file or folder is its own."""
        self.made += 1
        folder = self.tmp / f"{self.made}"
        folder.mkdir()
        return str(folder / name)

    def run(self, identity: str, *args: str) -> Result:
        acting = [] if identity == "none" else ["--as", NAMES[identity]]
        return self.runner.invoke(cli, ["--db", self.url, *acting, *args], obj=self.pm)


def _demo_id(session: Session) -> int:
    return session.scalars(select(School.id).where(School.code == "DEMO")).one()


def _codes(engine: Engine) -> tuple[str, str, int, int, str]:
    with transaction(engine) as session:
        school = _demo_id(session)
        demo = select(Teacher.id).where(Teacher.school_id == school)
        heads = set(session.scalars(select(SchoolClass.head_teacher_id)))
        head = session.scalars(
            select(Teacher).where(Teacher.id.in_(heads), Teacher.id.in_(demo)).order_by(Teacher.id)
        ).first()
        teacher = session.scalars(
            select(Teacher)
            .where(Teacher.id.in_(demo), Teacher.id.not_in(heads))
            .where(
                Teacher.id.in_(select(Task.assignee_id).where(Task.state == TaskState.DUE.value))
            )
            .order_by(Teacher.id)
        ).first()
        assert head is not None and teacher is not None

        def task_of(*where: object) -> int:
            found = session.scalar(
                select(Task.id)
                .join(Activity, Activity.id == Task.activity_id)
                .where(Activity.school_id == school, Task.state == TaskState.DUE.value, *where)
                .order_by(Task.id)
                .limit(1)
            )
            assert found is not None
            return found

        theirs = (teacher.id, head.id)
        child = session.scalar(
            select(Child.student_no)
            .where(Child.school_id == school)
            .where(
                ~Child.id.in_(select(Pairing.child_id).where(Pairing.teacher_id.in_(theirs))),
                ~Child.class_id.in_(
                    select(SchoolClass.id).where(SchoolClass.head_teacher_id == head.id)
                ),
            )
            .order_by(Child.id)
            .limit(1)
        )
        assert child is not None
        return (
            teacher.code,
            head.code,
            task_of(Task.assignee_id == teacher.id),
            task_of(Task.assignee_id.not_in(theirs)),
            child,
        )


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    pm = build_plugin_manager(load_entry_points=False)
    pm.hook.register_commands(cli=cli)  # as guanai.cli.main does: feeds, links, export-ics
    engine = create_engine(database_url)
    world = World(database_url, engine, pm, tmp_path, "", "", 0, 0, "")
    assert world.run("none", "demo", "--children", "30", "--now", NOW).exit_code == 0
    with transaction(engine) as session:
        create_demo_school(session, code="OTHER", name="另一小学", children=12)
    assert world.run("none", "plan", "--school", "OTHER", "--now", NOW).exit_code == 0
    (
        world.teacher_code,
        world.head_teacher_code,
        world.teacher_task,
        world.others_task,
        world.child_no,
    ) = _codes(engine)
    accounts = [
        ("coordinator", "coordinator", "DEMO", None),
        ("other_coordinator", "coordinator", "OTHER", None),
        ("teacher", "teacher", "DEMO", world.teacher_code),
        ("head_teacher", "head_teacher", "DEMO", world.head_teacher_code),
        ("bureau", "bureau", None, None),
    ]
    for identity, role, school, teacher in accounts:
        options = ["--school", school] if school else []
        options += ["--teacher", teacher] if teacher else []
        added = world.run(
            "coordinator", "accounts", "add", NAMES[identity], "--role", role, *options
        )
        assert added.exit_code == 0, added.output
    issued = world.run(
        "coordinator", "feeds", "issue", "--teacher", world.teacher_code, "--school", "DEMO",
        "--no-qr", "--base-url", "https://guanai.example.edu.cn",
    )  # fmt: skip
    assert issued.exit_code == 0, issued.output
    linked = world.run(
        "coordinator", "links", "issue", "--teacher", world.teacher_code, "--school", "DEMO",
        "--no-qr",
    )  # fmt: skip
    assert linked.exit_code == 0, linked.output
    assert world.run("coordinator", "template", str(tmp_path / "blank.xlsx")).exit_code == 0
    with transaction(engine) as session:
        world.child_names = list(
            session.scalars(select(Child.name).where(Child.school_id == _demo_id(session)))
        )
    yield world
    engine.dispose()


@dataclass(frozen=True)
class Case:
    """One command line and the identities that may run it; the rest are refused."""

    args: Callable[[World], list[str]]
    allowed: frozenset[str]
    writes: bool = True
    runs_for_allowed: bool = True  # False: it would block (a server, the dashboard)


def case(
    args: Callable[[World], list[str]] | list[str],
    *allowed: str,
    writes: bool = True,
    runs_for_allowed: bool = True,
) -> Case:
    return Case(
        args if callable(args) else (lambda _w, a=args: list(a)),
        frozenset(allowed),
        writes,
        runs_for_allowed,
    )


EVERY_ROLE = ("coordinator", "teacher", "head_teacher", "other_coordinator", "bureau")
READERS = ("coordinator", "teacher", "head_teacher", "bureau")  # of DEMO's records

CASES: dict[str, Case] = {
    "init": case(["init"], "coordinator", "other_coordinator"),
    "demo": case(["demo", "--children", "30", "--now", NOW], "coordinator"),
    "template": case(lambda w: ["template", w.fresh("blank.xlsx")], *EVERY_ROLE),
    "import": case(
        lambda w: ["import", str(w.tmp / "blank.xlsx"), "--school", "DEMO"],
        "coordinator",
        runs_for_allowed=False,  # a blank roster is rejected; imports are tested in tests/cli
    ),
    "child show": case(
        lambda w: ["child", "show", w.child_no, "--school", "DEMO"], *READERS, writes=False
    ),
    "child set": case(
        lambda w: ["child", "set", w.child_no, "备注=核实", "--school", "DEMO", "--now", NOW],
        "coordinator",
    ),
    "pair": case(["pair", "--auto", "--school", "DEMO"], "coordinator"),
    "pairings": case(["pairings", "--school", "DEMO"], *READERS, writes=False),
    "caseplan open": case(
        lambda w: [
            "caseplan",
            "open",
            "learning",
            "--title",
            "帮扶小组",
            "--child",
            w.child_no,
            "--teacher",
            w.teacher_code,
            "--check",
            "2026-10-20",
            *PLAN_TEXTS,
            "--school",
            "DEMO",
            "--now",
            NOW,
        ],
        "coordinator",
    ),
    "caseplan revise": case(
        lambda w: ["caseplan", "revise", _plan(w), "--title", "新标题", "--now", NOW],
        "coordinator",
    ),
    "caseplan close": case(
        lambda w: ["caseplan", "close", _plan(w), "--outcome", "及格", "--now", NOW],
        "coordinator",
    ),
    "caseplan show": case(
        lambda w: ["caseplan", "show", _plan(w)], "coordinator", "teacher", writes=False
    ),
    "caseplan list": case(
        ["caseplan", "list", "--school", "DEMO"],
        "coordinator",
        "teacher",
        "head_teacher",
        writes=False,
    ),
    "caseplan archive": case(
        lambda w: ["caseplan", "archive", w.child_no, "--school", "DEMO"],
        "coordinator",
        "teacher",
        "head_teacher",
        writes=False,
    ),
    "caseplan missing": case(
        ["caseplan", "missing", "--school", "DEMO"], "coordinator", writes=False
    ),
    "export": case(lambda w: ["export", w.fresh("out.xlsx"), "--school", "DEMO"], "coordinator"),
    "ledger": case(
        lambda w: ["ledger", w.fresh("ledger.xlsx"), "--school", "DEMO"],
        "coordinator",
        "bureau",
    ),
    "accounts list": case(["accounts", "list"], "coordinator", "other_coordinator", writes=False),
    "accounts add": case(
        ["accounts", "add", "新老师", "--role", "bureau"], "coordinator", "other_coordinator"
    ),
    "accounts remove": case(["accounts", "remove", "新老师"], "coordinator", "other_coordinator"),
    "school create": case(["school", "create", "NEW", "新学校"]),  # both are bound to a school
    "school rename": case(["school", "rename", "关爱示范小学", "--school", "DEMO"], "coordinator"),
    "school show": case(["school", "show", "--school", "DEMO"], "coordinator", writes=False),
    "class add": case(["class", "add", "九年级9班", "--school", "DEMO"], "coordinator"),
    "class list": case(["class", "list", "--school", "DEMO"], "coordinator", writes=False),
    "class head": case(
        lambda w: ["class", "head", "一年级1班", w.head_teacher_code, "--school", "DEMO"],
        "coordinator",
    ),
    "teacher add": case(["teacher", "add", "T900", "新老师", "--school", "DEMO"], "coordinator"),
    "teacher set": case(
        lambda w: ["teacher", "set", w.teacher_code, "--email", "t@ex.cn", "--school", "DEMO"],
        "coordinator",
    ),
    "teacher list": case(["teacher", "list", "--school", "DEMO"], "coordinator", writes=False),
    "plan": case(["plan", "--school", "DEMO", "--now", NOW], "coordinator"),
    "tick": case(["tick", "--now", NOW], "coordinator", "other_coordinator"),
    "run": case(["run", "--once", "--log-format", "text"], "coordinator", "other_coordinator"),
    "simulate": case(
        ["simulate", "--from", "2026-09-21", "--until", "2026-09-22", "--complete-share", "1"],
        "coordinator",
        "other_coordinator",
    ),
    "agenda": case(["agenda", "--school", "DEMO", "--date", "2026-09-21"], *READERS, writes=False),
    "complete": case(
        lambda w: ["complete", str(w.teacher_task), "--now", NOW],
        "coordinator",
        "teacher",
        runs_for_allowed=False,  # recording is shown below, one identity at a time
    ),
    "task show": case(
        lambda w: ["task", "show", str(w.teacher_task)],
        "coordinator",
        "teacher",
        "bureau",
        writes=False,
    ),
    "repair": case(["repair", "--school", "DEMO", "--yes", "--now", NOW], "coordinator"),
    "outbox": case(["outbox"], "coordinator", "other_coordinator", writes=False),
    "outbox retry": case(["outbox", "retry", "--all"], "coordinator", "other_coordinator"),
    "feeds issue": case(
        lambda w: ["feeds", "issue", "--teacher", w.teacher_code, "--school", "DEMO", "--no-qr"],
        "coordinator",
    ),
    "feeds list": case(["feeds", "list"], "coordinator", "other_coordinator", writes=False),
    "feeds revoke": case(["feeds", "revoke", "1"], "coordinator", runs_for_allowed=False),
    "feeds rotate": case(["feeds", "rotate", "1", "--no-qr"], "coordinator"),
    "links issue": case(
        lambda w: ["links", "issue", "--teacher", w.teacher_code, "--school", "DEMO", "--no-qr"],
        "coordinator",
    ),
    "links list": case(
        ["links", "list", "--all"], "coordinator", "other_coordinator", writes=False
    ),
    "links revoke": case(["links", "revoke", "1"], "coordinator", runs_for_allowed=False),
    "links rotate": case(["links", "rotate", "1", "--no-qr"], "coordinator"),
    "serve": case(
        ["serve", "--port", "0"], "coordinator", "other_coordinator", runs_for_allowed=False
    ),
    "export-ics": case(
        lambda w: ["export-ics", w.fresh("ics")], "coordinator", "other_coordinator"
    ),
    "tui": case(["tui", "--school", "DEMO"], "coordinator", runs_for_allowed=False),
    "plugin new": case(
        lambda w: ["plugin", "new", "guanai-autumn-trip", "--directory", w.fresh("p")],
        *EVERY_ROLE,
        writes=False,
    ),
    "plugins": case(["plugins"], *EVERY_ROLE, writes=False),
}


PLAN_TEXTS = ["--text", "帮扶目标=跟上", "--text", "帮扶时间=周二", "--text", "帮扶内容=错题",
              "--text", "阶段性效果目标=及格"]  # fmt: skip


def _plan(world: World) -> str:
    """An open learning-support plan of DEMO naming the teacher (opened if there is none)."""
    with transaction(world.engine) as session:
        found = session.scalar(
            select(CasePlan.id).where(CasePlan.closed_on.is_(None)).order_by(CasePlan.id)
        )
        if found is None:
            found = open_plan(
                session,
                world.pm.activity_registry(),
                _demo_id(session),
                "learning",
                PlanChanges("帮扶小组", [world.child_no], [world.teacher_code],
                            {"goals": "跟上", "times": "周二", "content": "错题",
                             "milestones": "及格"}, [date(2026, 10, 20)]),
                actor="关爱办",
                now=datetime(2026, 9, 21, tzinfo=UTC),
            )  # fmt: skip
    return str(found)


def _command_paths(group: click.Group, prefix: str = "") -> set[str]:
    paths = set()
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            if command.invoke_without_command or not command.commands:
                paths.add(path)
            paths |= _command_paths(command, path + " ")
        else:
            paths.add(path)
    return paths


def test_every_command_is_in_the_matrix():
    pm = build_plugin_manager(load_entry_points=False)
    pm.hook.register_commands(cli=cli)
    assert _command_paths(cli) == set(CASES)


def _refused(result: Result) -> bool:
    return result.exit_code != 0 and any(word in result.output for word in REFUSALS)


def test_each_identity_may_run_only_the_commands_its_role_owns(world: World):
    wrong: list[str] = []
    for name, spec in CASES.items():
        for identity in IDENTITIES:
            if identity in spec.allowed and not spec.runs_for_allowed:
                continue  # it would block (a server, the dashboard) or needs its own set-up
            args = spec.args(world)
            before = snapshot(world.engine)[1] if spec.writes else None
            result = world.run(identity, *args)
            if identity in spec.allowed:
                if spec.runs_for_allowed and result.exit_code != 0:
                    wrong.append(f"{name} as {identity} failed: {result.output.strip()[:200]}")
                continue
            if not _refused(result):
                wrong.append(f"{name} as {identity} was not refused: {result.output[:200]!r}")
            elif len(result.output.strip().splitlines()) != 1:
                wrong.append(f"{name} as {identity}: refusal not one line: {result.output!r}")
            if before is not None and snapshot(world.engine)[1] != before:
                wrong.append(f"{name} as {identity} was refused but wrote to the database")
    assert not wrong, "\n".join(wrong)


def test_the_coordinator_runs_every_command_it_owns(world: World):
    failed = []
    for name, spec in CASES.items():
        if spec.runs_for_allowed and "coordinator" in spec.allowed:
            result = world.run("coordinator", *spec.args(world))
            if result.exit_code != 0:
                failed.append(f"{name}: {result.output.strip()[:300]}")
    assert not failed, "\n".join(failed)


def _agenda(world: World, identity: str, *more: str) -> Result:
    return world.run(
        identity, "agenda", "--school", "DEMO", "--date", "2026-09-21", "--days", "30", *more
    )


def test_a_teachers_agenda_holds_only_their_own_tasks(world: World):
    with transaction(world.engine) as session:
        mine = set(
            session.scalars(
                select(Task.id)
                .join(Teacher, Teacher.id == Task.assignee_id)
                .where(Teacher.code == world.teacher_code, Teacher.school_id == _demo_id(session))
            )
        )
    shown = _agenda(world, "teacher")
    assert shown.exit_code == 0, shown.output
    listed = {int(word) for line in shown.output.splitlines() for word in line.split("│")[-2:-1]
              if word.strip().isdigit()}  # fmt: skip
    assert listed and listed <= mine
    assert str(world.others_task) not in {str(n) for n in listed}
    asked = _agenda(world, "teacher", "--teacher", world.head_teacher_code)
    assert _refused(asked)


def test_the_bureau_sees_the_agenda_with_childrens_names_masked(world: World):
    coordinator = _agenda(world, "coordinator")
    bureau = _agenda(world, "bureau")
    assert coordinator.exit_code == 0 and bureau.exit_code == 0, bureau.output
    assert any(name in coordinator.output for name in world.child_names)
    assert not [name for name in world.child_names if name in bureau.output]


def test_the_coordinator_of_another_school_sees_and_changes_nothing_of_demo(world: World):
    for args in (["agenda", "--school", "DEMO"], ["pairings", "--school", "DEMO"]):
        assert _refused(world.run("other_coordinator", *args))
    with transaction(world.engine) as session:
        demo_tasks = (
            select(Task.id, Task.state)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.school_id == _demo_id(session))
        )
        before = sorted(session.execute(demo_tasks).all())
    planned = world.run("other_coordinator", "plan", "--now", NOW)
    simulated = world.run(
        "other_coordinator", "simulate", "--from", "2026-09-21", "--until", "2026-09-21",
        "--complete-share", "1",
    )  # fmt: skip
    assert planned.exit_code == 0 and simulated.exit_code == 0, simulated.output
    with transaction(world.engine) as session:
        after = sorted(session.execute(demo_tasks).all())
    assert after == before
    listed = world.run("other_coordinator", "outbox")
    assert all(f"{name}" not in listed.output for name in world.child_names)


def test_what_a_simulation_records_is_audited_under_the_account_that_ran_it(world: World):
    result = world.run(
        "coordinator", "simulate", "--from", "2026-09-21", "--until", "2026-09-22",
        "--complete-share", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with transaction(world.engine) as session:
        by = set(session.scalars(select(Task.completed_by).where(Task.state == "done")))
    assert by == {NAMES["coordinator"]}


def _fields(world: World, task_id: int) -> list[str]:
    with transaction(world.engine) as session:
        step, type_name = session.execute(
            select(Task.step, Activity.type)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Task.id == task_id)
        ).one()
    step_spec = world.pm.activity_registry().get(type_name).step(step)
    record = simulated_record(step_spec, date(2026, 9, 21))
    return [arg for name, value in record.items() for arg in ("-f", f"{name}={value}")]


def test_a_teacher_records_their_own_task_and_no_one_elses(world: World):
    own = world.run(
        "teacher", "complete", str(world.teacher_task), "--now", NOW,
        *_fields(world, world.teacher_task),
    )  # fmt: skip
    assert own.exit_code == 0, own.output
    others = world.run(
        "teacher", "complete", str(world.others_task), "--now", NOW,
        *_fields(world, world.others_task),
    )  # fmt: skip
    assert _refused(others)
    for identity in ("bureau", "other_coordinator"):
        assert _refused(world.run(identity, "complete", str(world.others_task), "--now", NOW))
    with transaction(world.engine) as session:
        done = {
            task: by
            for task, by in session.execute(
                select(Task.id, Task.completed_by).where(Task.state == "done")
            )
        }
    assert done.get(world.teacher_task) == NAMES["teacher"]
    assert world.others_task not in done
