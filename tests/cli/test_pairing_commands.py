"""``guanai pair`` and ``guanai pairings`` as a coordinator (and a teacher) use them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from guanai.cli import cli, pairing_commands
from guanai.core import db
from guanai.core.demo import create_demo_school
from guanai.core.masking import mask_name
from guanai.core.models import Account, Child, Pairing, RecordChange, Teacher
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager

COORDINATOR = "李主任"
NOW = "2026-09-14T08:00"

Run = Callable[..., Result]


@pytest.fixture
def pm() -> GuanaiPluginManager:
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def run(database_url: str, pm: GuanaiPluginManager) -> Run:
    runner = CliRunner()

    def invoke(*args: str, actor: str = COORDINATOR, input: str | None = None) -> Result:
        return runner.invoke(cli, ["--db", database_url, "--as", actor, *args], obj=pm, input=input)

    return invoke


@pytest.fixture
def school_db(run: Run, database_url: str) -> Iterator[Engine]:
    """A database with one demo school of 30 children, none of them paired yet."""
    assert run("init").exit_code == 0
    engine = db.make_engine(database_url)
    with db.transaction(engine) as session:
        create_demo_school(session, children=30, pairings=False)
    yield engine
    engine.dispose()


def scalar(engine: Engine, query):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.scalar(query)


def add_accounts(engine: Engine, teacher_code: str = "T014") -> None:
    """A coordinator account and a teacher's account: from now on, who acts matters."""
    with db.transaction(engine) as session:
        teacher = session.scalars(select(Teacher).where(Teacher.code == teacher_code)).one()
        session.add(Account(name=COORDINATOR, role="coordinator", school_id=teacher.school_id))
        session.add(
            Account(
                name="王老师", role="teacher", teacher_id=teacher.id, school_id=teacher.school_id
            )
        )


def current_pairings(engine: Engine) -> int:
    return scalar(
        engine, select(func.count()).select_from(Pairing).where(Pairing.ended_on.is_(None))
    )


def test_auto_pairs_everyone_and_prints_the_loads(run, school_db):
    result = run("pair", "--auto", "--yes", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert all(word in result.output for word in ("现有", "新增", "结对后", "上限", "T014"))
    assert "已为 30 名学生结对" in result.output
    assert "本校还没有规划学期：运行 guanai plan" in result.output
    assert current_pairings(school_db) == 30
    sources = scalar(school_db, select(func.count(func.distinct(RecordChange.source))))
    assert sources == 1
    again = run("pair", "--auto", "--now", NOW)
    assert again.exit_code == 0 and "所有在读学生都已结对，未写入" in again.output
    assert current_pairings(school_db) == 30


def test_without_a_terminal_or_yes_nothing_is_written_and_it_says_how_to_go_on(run, school_db):
    result = run("--lang", "en", "pair", "--auto", "--now", NOW)
    assert result.exit_code == 1
    assert "cap 15" in result.output, "the preview is shown first"
    last = result.output.strip().splitlines()[-1]
    assert "nothing written" in last and "--yes" in last and "--dry-run" in last
    assert current_pairings(school_db) == 0
    dry = run("pair", "--auto", "--dry-run", "--now", NOW)
    assert dry.exit_code == 0 and "仅预览，未写入" in dry.output
    assert current_pairings(school_db) == 0


@pytest.mark.parametrize(("answer", "written"), [("n\n", 0), ("\n", 0), ("y\n", 30)])
def test_at_a_terminal_it_asks_and_no_is_the_default(run, school_db, monkeypatch, answer, written):
    monkeypatch.setattr(pairing_commands, "_interactive", lambda: True)
    result = run("pair", "--auto", "--now", NOW, input=answer)
    assert result.exit_code == 0, result.output
    assert "写入以上 30 名学生的结对？ [y/N]" in result.output
    assert current_pairings(school_db) == written
    assert ("未写入。" in result.output) == (written == 0)


def test_the_cap_leaves_children_unpaired_and_says_what_to_do(run, school_db):
    result = run("--lang", "en", "pair", "--auto", "--max", "1", "--yes", "--now", NOW)
    assert result.exit_code == 0, result.output
    # 17 teachers besides the coordinator take one child each, the coordinator one more.
    assert "Paired 18 children" in result.output
    assert "12 children will not be paired" in result.output
    for remedy in ("guanai teacher add", "--max", "max_children_per_teacher", "--over-cap"):
        assert remedy in result.output
    assert "paired with the coordinator" in result.output
    assert current_pairings(school_db) == 18
    over = run("--lang", "en", "pair", "--auto", "--max", "1", "--over-cap", "--yes", "--now", NOW)
    assert over.exit_code == 0, over.output
    assert "Paired 12 children" in over.output and current_pairings(school_db) == 30
    assert "teachers have more children than the cap of 1: " in over.output
    full = run("--lang", "en", "pair", "--auto", "--max", "1", "--now", NOW)
    assert full.exit_code == 0 and "Every enrolled child is paired" in full.output


def test_the_cap_comes_from_the_config_file(run, school_db, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[pairing]\nmax_children_per_teacher = 1\n", encoding="utf-8")
    result = run("--config", str(config), "pair", "--auto", "--dry-run", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "上限 1）" in result.output and "12 名学生不会结对" in result.output
    assert run("pair", "--auto", "--max", "1", "--yes", "--now", NOW).exit_code == 0
    nothing = run("--config", str(config), "pair", "--auto", "--now", NOW)
    assert nothing.exit_code == 0 and "未写入：上限之内没有名额" in nothing.output


def test_after_a_plan_it_says_which_tasks_it_handed_over(run, school_db):
    assert run("plan", "--now", NOW).exit_code == 0
    result = run("--lang", "en", "pair", "--auto", "--yes", "--now", NOW)
    assert result.exit_code == 0, result.output
    handed = int(result.output.split("Paired 30 children; ")[1].split()[0])
    assert handed > 0, "the head teachers' stand-in talks go to the new pairing teachers"
    assert "The planned terms' tasks follow the pairings already" in result.output


def test_a_manual_change_to_a_teacher_at_the_cap_needs_over_cap(run, school_db, tmp_path):
    assert run("pair", "--auto", "--yes", "--now", NOW).exit_code == 0
    config = tmp_path / "config.toml"
    config.write_text("[pairing]\nmax_children_per_teacher = 1\n", encoding="utf-8")
    with Session(school_db) as session:
        number, teacher = session.execute(
            select(Child.student_no, Pairing.teacher_id)
            .join(Pairing, Pairing.child_id == Child.id)
            .order_by(Child.id)
        ).first()
        other = session.scalar(
            select(Teacher.code)
            .join(Pairing, Pairing.teacher_id == Teacher.id)
            .where(Teacher.id != teacher)
            .order_by(Teacher.code)
        )
    refused = run("--config", str(config), "pair", number, "--teacher", other, "--now", NOW)
    assert refused.exit_code == 1 and refused.output.strip().count("\n") == 0
    assert other in refused.output and "--over-cap" in refused.output
    args = ("pair", number, "--teacher", other, "--over-cap", "--now", NOW)
    assert run("--config", str(config), *args).exit_code == 0


def test_a_manual_change_then_the_list(run, school_db):
    assert run("pair", "--auto", "--yes", "--now", NOW).exit_code == 0
    number = scalar(school_db, select(Child.student_no).order_by(Child.id).limit(1))
    result = run("pair", number, "--teacher", "T003", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert f"学号 {number}" in result.output and "→ T003" in result.output
    listed = run("pairings", "--teacher", "T003")
    assert listed.exit_code == 0 and number in listed.output
    assert scalar(school_db, select(func.count()).select_from(Pairing)) == 31


def test_a_classmate_not_on_the_roster_is_named_as_buddy_and_listed(run, school_db):
    assert run("pair", "--auto", "--yes", "--now", NOW).exit_code == 0
    number = scalar(school_db, select(Child.student_no).order_by(Child.id).limit(1))
    result = run("pair", number, "--buddy-name", "王小红", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "→ 王小红" in result.output
    listed = run("pairings")
    assert "王小红" in listed.output and "不在名单" in listed.output
    refused = run("pair", number, "--buddy-name", "20260001", "--now", NOW)
    assert refused.exit_code == 1 and "学习帮手学号" in refused.output
    assert run("pair", "--auto", "--buddy-name", "王小红").exit_code != 0


def test_a_number_and_a_code_typed_full_width_find_the_child_and_the_teacher(run, school_db):
    number = scalar(school_db, select(Child.student_no).order_by(Child.id).limit(1))
    typed = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    result = run("pair", typed, "--teacher", "Ｔ００３", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert f"学号 {number}" in result.output and "→ T003" in result.output
    assert "T003" in run("pairings", "--teacher", "Ｔ００３").output


def test_unknown_codes_are_one_line_naming_the_code(run, school_db):
    assert run("pair", "--auto", "--yes", "--now", NOW).exit_code == 0
    number = scalar(school_db, select(Child.student_no).order_by(Child.id).limit(1))
    for args, code in (
        (("pair", number, "--teacher", "T999"), "T999"),
        (("pair", "404404", "--teacher", "T002"), "404404"),
        (("pair", number, "--buddy", "777"), "777"),
    ):
        result = run(*args)
        assert result.exit_code == 1
        assert code in result.output and "Traceback" not in result.output
        assert result.output.strip().count("\n") == 0
    assert scalar(school_db, select(func.count()).select_from(Pairing)) == 30


@pytest.mark.parametrize(
    "args",
    [
        ("pair",),
        ("pair", "--auto", "202601001"),
        ("pair", "202601001", "--max", "3"),
        ("pair", "202601001", "--dry-run"),
    ],
)
def test_pair_wants_auto_or_one_student(run, school_db, args):
    result = run(*args)
    assert result.exit_code == 1
    assert "--auto" in result.output


def test_only_the_coordinator_changes_pairings(run, school_db):
    add_accounts(school_db)
    refused = run("pair", "--auto", actor="王老师")
    assert refused.exit_code == 1
    assert "王老师" in refused.output and "无权" in refused.output
    assert current_pairings(school_db) == 0
    assert run("pair", "--auto", actor="没有账号").exit_code == 1
    assert run("pair", "--auto", "--yes", "--now", NOW).exit_code == 0
    assert current_pairings(school_db) == 30


def test_a_teacher_sees_only_their_own_childrens_names(run, school_db):
    assert run("pair", "--auto", "--yes", "--now", NOW).exit_code == 0
    add_accounts(school_db, "T014")
    with Session(school_db) as session:
        rows = session.execute(
            select(Child.name, Teacher.code)
            .join(Pairing, Pairing.child_id == Child.id)
            .join(Teacher, Teacher.id == Pairing.teacher_id)
        ).all()
    mine = {name for name, code in rows if code == "T014"}
    others = {name for name, code in rows if code != "T014"}
    assert mine and others
    seen = run("pairings", actor="王老师")
    assert seen.exit_code == 0, seen.output
    assert all(name in seen.output for name in mine)
    hidden = [n for n in others if not any(n in shown for shown in mine)]
    assert hidden and not any(name in seen.output for name in hidden)
    assert all(mask_name(name) in seen.output for name in hidden)
    full = run("pairings")
    assert all(name in full.output for name, _ in rows)
