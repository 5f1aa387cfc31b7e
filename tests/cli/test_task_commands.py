"""Recording the way people write (``complete`` with labels, the roster's dates, every problem
at once, days off confirmed) and ``task show``: a task, its fields and its record."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, select

from guanai.cli import cli
from guanai.core.models import Activity, Record, Task
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager

NOW = "2026-09-28T16:00"  # a Monday; the Mid-Autumn holiday was 09-25..27


@pytest.fixture
def run(database_url: str):
    pm: GuanaiPluginManager = build_plugin_manager(load_entry_points=False)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--db", database_url, *args], obj=pm)

    return invoke


@pytest.fixture
def talk(run, database_url: str) -> int:
    """A September head teacher's talk of the demo school (planned and ticked to NOW)."""
    assert run("init").exit_code == 0
    result = run("demo", "--children", "20", "--now", NOW)
    assert result.exit_code == 0, result.output
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                select(Task.id)
                .join(Activity, Activity.id == Task.activity_id)
                .where(Activity.key == "talk@month:2026-09", Task.step == "head_teacher_talk")
                .order_by(Task.id)
            )
    finally:
        engine.dispose()


def stored(database_url: str, task_id: int) -> dict[str, object] | None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(Record.data).where(Record.task_id == task_id))
    finally:
        engine.dispose()


def one_line(result: Result) -> str:
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0, result.output
    return result.output.strip()


def test_complete_takes_chinese_labels_and_the_rosters_date_forms(run, talk, database_url):
    result = run(
        "complete", str(talk), "日期=2026/9/21", "地点=教室", "谈心主题=学习", "记录=很好",
        "--now", NOW,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"任务 {talk} 已完成（谈心 · 班主任谈心）" in result.output
    assert stored(database_url, talk) == {
        "date": "2026-09-21",
        "place": "教室",
        "topics": "学习",
        "notes": "很好",
        "follow_up": None,
    }


def test_every_problem_is_one_line_naming_each_field(run, talk, database_url):
    result = run("complete", str(talk), "话题=学习", "日期=2026/9/31", "记录=秘密", "--now", NOW)
    message = one_line(result)
    assert "没有字段「话题」（可填：「谈心日期」(date)、「谈心地点」(place)" in message
    assert "「谈心日期」(date)应为日期" in message
    assert "「谈心地点」(place)为必填项" in message and "「谈心主题」(topics)为必填项" in message
    assert "秘密" not in message and stored(database_url, talk) is None


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2026-08-31", "2026-08-31 is before the task's window opens on 2026-09-01"),
        ("2026-09-29", "2026-09-29 is after today (2026-09-28)"),
    ],
)
def test_a_talk_before_its_window_or_after_today_is_refused(run, talk, database_url, day, reason):
    result = run(
        "--lang", "en", "complete", str(talk), f"date={day}", "place=a", "topics=b", "notes=c",
        "--now", NOW,
    )  # fmt: skip
    assert f"'Date of talk' (date) {reason}" in one_line(result)
    assert stored(database_url, talk) is None


def test_a_talk_on_a_holiday_needs_day_off_ok_and_is_shown_marked(run, talk, database_url):
    record = ("日期=2026年9月26日", "地点=家里", "主题=学习", "记录=好")
    refused = one_line(run("complete", str(talk), *record, "--now", NOW))
    assert "2026-09-26 不是上学日（中秋节假期）" in refused and "--day-off-ok" in refused
    assert stored(database_url, talk) is None
    done = run("complete", str(talk), *record, "--day-off-ok", "--now", NOW)
    assert done.exit_code == 0, done.output
    assert stored(database_url, talk)["_day_off"] == ["date"]  # type: ignore[index]
    shown = run("task", "show", str(talk))
    assert shown.exit_code == 0, shown.output
    assert "2026-09-26（非上学日，已确认）" in shown.output


def test_task_show_prints_the_step_its_fields_and_then_its_record(run, talk):
    before = run("task", "show", str(talk))
    assert before.exit_code == 0, before.output
    for expected in (
        f"任务 {talk}",
        "谈心 · 班主任谈心",
        "talk@month:2026-09",
        "2026-09-01 至 2026-09-30",
        "谈心日期",
        "follow_up",
        "文字（多行）",
        f"guanai complete {talk} 字段=值",
    ):
        assert expected in before.output, expected
    record = ("date=2026-09-21", "place=教室", "topics=学习", "notes=私密内容")
    assert run("complete", str(talk), *record, "--now", NOW).exit_code == 0
    after = run("--lang", "en", "task", "show", str(talk))
    assert "Heart-to-heart talk · Head teacher's talk" in after.output
    assert "done" in after.output and "2026-09-21" in after.output and "私密内容" in after.output
    assert "recorded at (Beijing time)" not in after.output  # the time itself names its zone
    assert "(Beijing time)" in after.output


def test_task_show_masks_the_child_and_hides_private_fields_from_the_bureau(run, talk):
    record = ("date=2026-09-21", "place=教室", "topics=学习", "notes=私密内容")
    assert run("complete", str(talk), *record, "--now", NOW).exit_code == 0
    coordinator = run("task", "show", str(talk)).output
    for name, role in (("李老师", "coordinator"), ("局长", "bureau")):
        added = run("--as", "李老师", "accounts", "add", name, "--role", role)
        assert added.exit_code == 0, added.output
    bureau = run("--as", "局长", "task", "show", str(talk))
    assert bureau.exit_code == 0, bureau.output
    assert "私密内容" not in bureau.output and "（不可见）" in bureau.output
    assert "*" in bureau.output and "*" not in coordinator


def test_task_show_of_an_unknown_task_is_one_line(run, talk):
    assert "没有编号为 999999 的任务" in one_line(run("task", "show", "999999"))
