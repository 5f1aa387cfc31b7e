"""The command line as a front end of the service: refusals are one line, exit 1, nothing
written; ``--now`` is read once, for every command, in the schools' time zone."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from roster_samples import snapshot
from sqlalchemy import select

from guanai.cli import cli
from guanai.core.db import make_engine, transaction
from guanai.core.models import School, Task, Teacher
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager

NOW = "2026-09-21T08:00"


@pytest.fixture
def pm() -> GuanaiPluginManager:
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def city(database_url: str, pm: GuanaiPluginManager):
    """The demo school with a coordinator, a teacher and a bureau account."""
    runner = CliRunner()

    def run(actor: str | None, *args: str) -> Result:
        acting = ["--as", actor] if actor else []
        return runner.invoke(cli, ["--db", database_url, *acting, *args], obj=pm)

    assert run(None, "demo", "--children", "30", "--now", NOW).exit_code == 0
    for name, *options in (
        ("关爱办", "--role", "coordinator", "--school", "DEMO"),
        ("王老师", "--role", "teacher", "--school", "DEMO", "--teacher", "T001"),
        ("教育局", "--role", "bureau"),
    ):
        added = run("关爱办", "accounts", "add", name, *options)
        assert added.exit_code == 0, added.output
    engine = make_engine(database_url)
    yield run, engine
    engine.dispose()


def _refused_in_one_line(result: Result) -> bool:
    lines = result.output.strip().splitlines()
    refusal = any(word in result.output for word in ("无权", "没有账号", "只能"))
    return result.exit_code == 1 and len(lines) == 1 and refusal


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "--from", "2026-09-21", "--until", "2026-12-20", "--complete-share", "1"],
        ["plan", "--now", NOW],
        ["tick", "--now", NOW],
        ["demo", "--children", "30", "--now", NOW],
        ["outbox", "retry", "--all"],
        ["pair", "--auto"],
        ["tui"],
    ],
)
@pytest.mark.parametrize("actor", ["教育局", "王老师", "陌生人"])
def test_writing_commands_are_refused_to_teachers_and_the_bureau(city, actor, args):
    run, engine = city
    before = snapshot(engine)[1]
    result = run(actor, *args)
    assert _refused_in_one_line(result), result.output
    assert snapshot(engine)[1] == before


def test_an_unknown_name_is_refused_even_by_commands_that_read_no_records(city, tmp_path):
    run, _ = city
    for args in (["plugins"], ["template", str(tmp_path / "blank.xlsx")]):
        assert _refused_in_one_line(run("陌生人", *args))
    assert not (tmp_path / "blank.xlsx").exists()


def test_what_a_coordinators_simulation_records_is_theirs(city):
    run, engine = city
    done = run("关爱办", "simulate", "--from", "2026-09-21", "--until", "2026-09-22",
               "--complete-share", "1")  # fmt: skip
    assert done.exit_code == 0, done.output
    with transaction(engine) as session:
        assert set(session.scalars(select(Task.completed_by).where(Task.state == "done"))) == {
            "关爱办"
        }


def test_a_bad_now_is_one_line_naming_the_option(city):
    run, _ = city
    result = run("关爱办", "tick", "--now", "next tuesday")
    assert result.exit_code != 0 and "--now" in result.output


def _assignees(result: Result) -> set[str]:
    """The "who" column of an agenda table."""
    return {
        cells[6].strip()
        for line in result.output.splitlines()
        if len(cells := line.split("│")) == 9 and cells[7].strip().isdigit()
    }


def test_a_teachers_agenda_lists_only_their_tasks(city):
    run, engine = city
    with transaction(engine) as session:
        name = session.scalar(
            select(Teacher.name).join(School).where(School.code == "DEMO", Teacher.code == "T001")
        )
    mine = run("王老师", "agenda", "--date", "2026-09-21", "--days", "60")
    everyone = run("关爱办", "agenda", "--date", "2026-09-21", "--days", "60")
    assert _assignees(mine) == {name}
    assert len(_assignees(everyone)) > 1
    assert _refused_in_one_line(run("王老师", "agenda", "--teacher", "T002"))
