"""``guanai repair`` on a database upgraded with a stuck task: ``init`` says so, recording the
task again is refused in one line that names the repair, ``repair`` lists the task and changes
nothing, ``repair --yes`` marks it done as its record says."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner, Result
from roster_samples import snapshot
from sqlalchemy import Engine, select
from stuck_tasks import (
    PRIVATE_NOTES,
    RECORDED_BY,
    school_at_0005_with_a_stuck_talk,
)

from guanai.cli import cli
from guanai.core.db import make_engine
from guanai.core.models import AuditEvent, Child, Task
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager
from guanai.core.simulation import simulated_record

NOW = "2026-09-21T08:00"
Run = Callable[..., Result]


@pytest.fixture
def pm() -> GuanaiPluginManager:
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def old_database(database_url: str, pm: GuanaiPluginManager) -> Iterator[tuple[Engine, int]]:
    """A database at 0005 holding one stuck talk (escalated, its record stored), not yet
    upgraded; the engine and the task's id."""
    engine = make_engine(database_url)
    _, task = school_at_0005_with_a_stuck_talk(engine, pm.activity_registry(), "escalated")
    yield engine, task
    engine.dispose()


def _valid_record(engine: Engine, task: int) -> list[str]:
    """``-f name=value`` options of a record the task's step accepts."""
    with engine.connect() as connection:
        step, day = connection.execute(
            select(Task.step, Task.scheduled_on).where(Task.id == task)
        ).one()
    record = simulated_record(
        build_plugin_manager().activity_registry().get("talk").step(step), day
    )
    return [option for name, value in record.items() for option in ("-f", f"{name}={value}")]


@pytest.fixture
def run(database_url: str, pm: GuanaiPluginManager) -> Run:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--db", database_url, "--as", "关爱办", *args], obj=pm)

    return invoke


def test_init_names_the_stuck_tasks_and_repair_lists_then_marks_them_done(
    old_database: tuple[Engine, int], run: Run
):
    engine, task = old_database
    upgraded = run("init")
    assert upgraded.exit_code == 0, upgraded.output
    assert "1 项任务有记录但未完成（DEMO 1 项）：运行 guanai repair" in upgraded.output

    again = run("complete", str(task), *_valid_record(engine, task), "--now", NOW)
    assert again.exit_code != 0 and len(again.output.strip().splitlines()) == 1
    assert "这项任务已有记录" in again.output and "guanai repair" in again.output

    before = snapshot(engine)[1]
    listed = run("repair")
    assert listed.exit_code == 0, listed.output
    with engine.connect() as connection:
        name = connection.scalar(select(Child.name).join(Task).where(Task.id == task))
    assert {str(task), "已上报", name, RECORDED_BY} <= set(listed.output.split())
    assert "guanai repair --yes" in listed.output and PRIVATE_NOTES not in listed.output
    assert snapshot(engine)[1] == before

    repaired = run("repair", "--school", "DEMO", "--yes", "--now", NOW)
    assert repaired.exit_code == 0, repaired.output
    assert "已将 1 项任务标记为已完成" in repaired.output
    assert PRIVATE_NOTES not in repaired.output
    with engine.connect() as connection:
        state, by = connection.execute(
            select(Task.state, Task.completed_by).where(Task.id == task)
        ).one()
        audited = connection.scalar(select(AuditEvent.actor).where(AuditEvent.action == "repair"))
    assert (state, by, audited) == ("done", RECORDED_BY, "关爱办")

    assert "没有需要修复的任务" in run("repair").output
    upgraded_again = run("init")
    assert upgraded_again.exit_code == 0 and "guanai repair" not in upgraded_again.output


def test_repair_speaks_english_with_lang_en(old_database: tuple[Engine, int], run: Run):
    assert run("init").exit_code == 0
    listed = run("--lang", "en", "repair")
    assert listed.exit_code == 0, listed.output
    assert "Tasks with a record, not done" in listed.output and "escalated" in listed.output
    assert "guanai repair --yes marks them done" in listed.output
    repaired = run("--lang", "en", "repair", "--yes")
    assert "1 task(s) marked done, and audited." in repaired.output
    assert "Nothing to repair" in run("--lang", "en", "repair").output
