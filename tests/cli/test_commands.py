"""The command line as a coordinator uses it: one transaction per command, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, select

from guanai import ActivityType, Coverage, Label, Role, Step, hookimpl
from guanai.cli import cli
from guanai.core.calendar import shipped_calendars
from guanai.core.models import Task, TaskState, Teacher
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager

DEMO_NOW = "2026-09-14T08:00"


@pytest.fixture
def pm() -> GuanaiPluginManager:
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def run(database_url: str, pm: GuanaiPluginManager):
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--db", database_url, "--as", "李老师", *args], obj=pm)

    return invoke


@pytest.fixture
def demo(run) -> Result:
    assert run("init").exit_code == 0
    result = run("demo", "--children", "30", "--now", DEMO_NOW)
    assert result.exit_code == 0, result.output
    return result


def open_task(database_url: str, step: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                select(Task.id)
                .where(Task.step == step, Task.state == TaskState.DUE.value)
                .order_by(Task.id)
            )
    finally:
        engine.dispose()


def test_demo_sets_up_a_school_plans_the_term_and_shows_the_agenda(demo):
    assert "示范学校" in demo.output
    assert "新建任务" in demo.output
    assert "待办" in demo.output
    assert "暂定" in demo.output, "provisional holidays are announced loudly"


def test_replanning_from_the_command_line_changes_nothing(run, demo):
    result = run("plan", "--now", DEMO_NOW)
    assert result.exit_code == 0, result.output
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in result.output.splitlines()
        if line.count("│") == 3
    }
    assert rows["新建任务"] == "0" and rows["取消任务"] == "0" and int(rows["未变任务"]) > 0


def test_english_on_request(run, demo):
    result = run("--lang", "en", "tick", "--now", "2026-09-15T08:00")
    assert result.exit_code == 0
    assert "due" in result.output and "reminders queued" in result.output


def test_agenda_for_one_teacher(run, demo, database_url):
    result = run("agenda", "--date", "2026-09-14", "--days", "3")
    assert result.exit_code == 0 and "谈心" in result.output
    assert run("agenda", "--teacher", "NOPE").exit_code == 1


def test_complete_records_a_talk(run, demo, database_url):
    task = open_task(database_url, "head_teacher_talk")
    result = run(
        "complete",
        str(task),
        "-f",
        "date=2026-09-14",
        "-f",
        "place=办公室",
        "-f",
        "topics=学习",
        "-f",
        "notes=很好",
        "--now",
        DEMO_NOW,
    )
    assert result.exit_code == 0, result.output
    assert f"任务 {task} 已完成" in result.output


def test_a_teacher_may_record_only_their_own_tasks(run, demo, database_url):
    add = ("accounts", "add", "--school", "DEMO")
    assert run(*add, "李老师", "--role", "coordinator").exit_code == 0
    assert run(*add, "王老师", "--role", "teacher", "--teacher", "T001").exit_code == 0
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            task = connection.scalar(
                select(Task.id)
                .join(Teacher, Teacher.id == Task.assignee_id)
                .where(Teacher.code != "T001", Task.state == TaskState.DUE.value)
                .order_by(Task.id)
            )
    finally:
        engine.dispose()
    talk = ["-f", "date=2026-09-14", "-f", "place=办公室", "-f", "topics=学习", "-f", "notes=好"]
    result = run("--as", "王老师", "complete", str(task), *talk)
    assert result.exit_code == 1 and "只能记录分配给自己的任务" in result.output


def test_a_bad_record_is_one_clear_line_naming_the_field(run, demo, database_url):
    task = open_task(database_url, "head_teacher_talk")
    result = run(
        "complete",
        str(task),
        "-f",
        "date=昨天",
        "-f",
        "place=x",
        "-f",
        "topics=y",
        "-f",
        "notes=秘密",
    )
    assert result.exit_code == 1
    assert "date" in result.output and "Traceback" not in result.output
    assert "秘密" not in result.output
    assert result.output.strip().count("\n") == 0


def test_commands_before_init_say_to_run_init(run):
    result = run("plan")
    assert result.exit_code == 1
    assert "guanai init" in result.output


def test_a_broken_calendar_file_is_named_with_its_key(run, demo, tmp_path: Path):
    text = shipped_calendars()["2026-autumn"].read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(
        text.replace('period = "welcome_back"', 'period = "welcome_bak"'), encoding="utf-8"
    )
    result = run("plan", str(broken))
    assert result.exit_code == 1
    assert str(broken) in result.output and ".period" in result.output


def test_plugins_lists_builtins_with_their_hooks(run):
    result = run("plugins", "--json")
    assert result.exit_code == 0
    plugins = {row["name"]: row for row in json.loads(result.stdout)}
    talks = plugins["guanai.plugins.talks"]
    assert talks["hooks"] == ["register_activity_types"] and talks["activity_types"] == ["talk"]
    assert all(row["error"] is None for row in plugins.values())


class Broken(ActivityType):
    name = "broken"
    title = Label("坏的", "Broken")
    covers = Coverage.SCHOOL
    steps = (Step("only", Label("唯一", "Only"), Role.PAIRING_TEACHER),)


class RaisingPlugin:
    @hookimpl
    def register_activity_types(self, register):
        register(Broken)

    @hookimpl
    def term_planned(self, summary):
        raise RuntimeError("plugin bug")


def test_a_faulty_plugin_is_named_and_contained(run, demo, pm, database_url):
    pm.register(RaisingPlugin(), name="raising-plugin")
    result = run("plan", "--now", DEMO_NOW)
    assert result.exit_code == 0, result.output
    assert "raising-plugin" in result.output and "plugin bug" in result.output
    assert "未变任务" in result.output, "the plan itself went through"
    listed = {row["name"]: row for row in json.loads(run("plugins", "--json").stdout)}
    assert "帮扶教师" in listed["raising-plugin"]["error"]


def test_a_bad_config_file_is_reported_in_the_language_asked_for(run, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("no_such_key = 1\n", encoding="utf-8")
    english = run("--config", str(config), "--lang", "en", "plugins")
    chinese = run("--config", str(config), "plugins")
    assert english.exit_code == chinese.exit_code == 1
    assert "unknown key no_such_key" in english.output
    assert "未知的键 no_such_key" in chinese.output
