"""Hostile input to the command line: one clear line for each, and data that cannot act on the
terminal it is printed to, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, select, update

from guanai.cli import cli
from guanai.cli.engine_commands import MAX_RECORD_FILE
from guanai.core.models import Child, OutboxMessage, Pairing, Task, TaskState
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager

NOW = "2026-09-14T08:00"
HOSTILE = "王\x1b]0;pwned\x07[bold]五:smile:\u202e"
TOO_LARGE = "99999999999999999999999"


@pytest.fixture(scope="module")
def pm() -> GuanaiPluginManager:
    manager = build_plugin_manager(load_entry_points=False)
    manager.hook.register_commands(cli=cli)  # as guanai.cli.main does: feeds, serve, export-ics
    return manager


@pytest.fixture
def run(database_url: str, pm: GuanaiPluginManager):
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        # wide enough that no table folds a cell
        return runner.invoke(cli, ["--db", database_url, *args], obj=pm, env={"COLUMNS": "250"})

    assert invoke("init").exit_code == 0
    demo = invoke("demo", "--children", "20", "--now", NOW)
    assert demo.exit_code == 0, demo.output
    return invoke


@pytest.fixture
def talk(database_url: str, run) -> tuple[int, str]:
    """A head teacher's talk due on the demo's day, and its child's student no."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                select(Task.id, Child.student_no)
                .join(Child, Child.id == Task.child_id)
                .where(Task.step == "head_teacher_talk", Task.state == TaskState.DUE.value)
                .order_by(Task.id)
            ).first()  # type: ignore[return-value]
    finally:
        engine.dispose()


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert result.output.strip().count("\n") == 0, result.output
    return result.output


def test_child_set_refuses_an_escape_sequence_naming_the_field(run, talk) -> None:
    _, student_no = talk
    result = run("--lang", "en", "child", "set", student_no, f"姓名={HOSTILE}")
    assert "'姓名': holds a character that is not allowed: U+001B" in one_line_error(result)


def test_data_stored_with_control_characters_is_printed_escaped(run, talk, database_url) -> None:
    task_id, student_no = talk
    engine = create_engine(database_url)  # as stored before names were checked
    try:
        with engine.begin() as connection:
            connection.execute(
                update(Child).where(Child.student_no == student_no).values(name=HOSTILE)
            )
            connection.execute(update(OutboxMessage).values(state="failed", last_error=HOSTILE))
            paired = connection.scalar(
                select(Child.id).join(Pairing, Pairing.child_id == Child.id).limit(1)
            )
            connection.execute(update(Child).where(Child.id == paired).values(name=HOSTILE))
    finally:
        engine.dispose()
    for command in (
        ("child", "show", student_no),
        ("agenda", "--date", NOW[:10], "--days", "1"),
        ("pairings",),
        ("outbox", "--state", "failed", "--limit", "1"),
        ("complete", str(task_id), "-f", "date=2026-09-14"),  # names the task's fields only
    ):
        result = run(*command)
        assert "\x1b" not in result.output and "\u202e" not in result.output, command
        if command[0] != "complete":
            assert result.exit_code == 0, result.output
            assert "\\u001b]0;pwned\\u0007" in result.output, command


@pytest.mark.parametrize(
    "command",
    [
        ("complete", TOO_LARGE, "-f", "date=2026-09-14"),
        ("outbox", "retry", TOO_LARGE),
        ("feeds", "revoke", TOO_LARGE),
        ("feeds", "rotate", TOO_LARGE),
    ],
    ids=lambda command: " ".join(command[:2]),
)
def test_an_id_too_large_for_the_database_is_a_usage_error(run, command) -> None:
    result = run(*command)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "1<=x<=2147483647" in result.output


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_deeply_nested_json_record_is_one_line(run, talk, tmp_path) -> None:
    deep = write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    result = run("--lang", "en", "complete", str(talk[0]), "--json", deep)
    assert "is nested too deeply" in one_line_error(result)


def test_a_json_record_larger_than_any_record_is_refused_before_it_is_parsed(
    run, talk, tmp_path
) -> None:
    large = write(tmp_path / "large.json", json.dumps({"notes": "x" * MAX_RECORD_FILE}))
    result = run("--lang", "en", "complete", str(talk[0]), "--json", large)
    assert f"larger than {MAX_RECORD_FILE} bytes" in one_line_error(result)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"place": {"room": 1}}, "'Place' (place) must be text"),
        ({"topics": ["学习"]}, "'Topics discussed' (topics) must be text"),
        ({"date": "2099-12-31"}, "'Date of talk' (date) 2099-12-31 is after today (2026-09-14)"),
        ({"notes": "谈" * 10_001}, "'Notes of the talk' (notes) is longer than 10000 characters"),
    ],
    ids=["object", "array", "future date", "long notes"],
)
def test_a_json_record_of_the_wrong_shape_is_one_line_naming_the_field(
    run, talk, tmp_path, record, reason
) -> None:
    fields = {"date": "2026-09-14", "place": "办公室", "topics": "学习", "notes": "好"}
    path = write(tmp_path / "record.json", json.dumps(fields | record, ensure_ascii=False))
    result = run("--lang", "en", "complete", str(talk[0]), "--json", path, "--now", NOW)
    assert reason in one_line_error(result)


@pytest.mark.parametrize(
    "command",
    [
        ("child", "show", "\udcff"),
        ("--as", "\udcff", "agenda"),
        ("child", "set", "1", "姓名=\udcff"),
    ],
    ids=["student no", "account", "value"],
)
def test_an_argument_that_is_not_utf8_is_one_line(run, command) -> None:
    # "\udcff" is how Python keeps the byte 0xff of a command line that is not UTF-8; the
    # arguments are checked before --lang is read, so the message is in the default language
    assert "不是有效的 UTF-8 文本" in one_line_error(run(*command))


@pytest.mark.parametrize("now", ["0001-01-01T00:00", "9999-12-31T23:59-12:00"])
def test_a_now_at_the_ends_of_the_calendar_is_one_line(run, talk, now) -> None:
    # it overflowed in the time zone's arithmetic, as a traceback with the statement's values
    result = run("--lang", "en", "child", "set", talk[1], "备注=私密", "--now", now)
    assert "--now must be in the years 1970 to 2999" in one_line_error(result)
    assert "私密" not in result.output
