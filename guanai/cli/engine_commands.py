"""``plan``, ``tick``, ``simulate`` and ``complete``: the engine from the command line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import click
from rich.table import Table

from guanai.cli.context import (
    NOW_OPTION,
    ROW_ID,
    UserError,
    console,
    pass_service,
    progress,
    say,
    stderr,
)
from guanai.cli.records_commands import field_values
from guanai.cli.task_commands import step_title
from guanai.cli.times import zoned_time
from guanai.core.activity import DayOffError
from guanai.core.calendar import TermCalendar
from guanai.core.i18n import Label
from guanai.core.planner import PlanSummary
from guanai.core.simulation import SimulatedDay
from guanai.service import Guanai


def plan_and_report(
    service: Guanai,
    calendar: TermCalendar,
    now: datetime | None,
    school_codes: Sequence[str] = (),
) -> None:
    """Plan ``calendar`` (one transaction, then the plugins are told) and print what changed."""
    with progress(Label("计划学期", "planning")) as bar:
        task = bar.add_task("", total=None)
        summary = service.plan(
            calendar,
            school_codes=school_codes,
            now=now,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    for warning in summary.warnings:
        stderr.print(str(warning), style="bold yellow", markup=False)
    if not summary.schools:
        stderr.print(
            say(
                "还没有学校，未计划任何任务：先建立本校（guanai school create 代码 名称，或导入"
                "填好“学校”表的名册）再计划。",
                "No school yet, so nothing was planned: set the school up first (guanai school"
                " create CODE NAME, or import a workbook with its 学校 sheet filled in).",
            ),
            style="bold yellow",
            markup=False,
        )
    table = Table(title=say(f"{calendar.name.zh}：计划结果", f"{calendar.name.en}: plan"))
    table.add_column(say("项目", "item"))
    table.add_column(say("数量", "count"), justify="right")
    rows = [
        (Label("学校", "schools"), summary.schools),
        (Label("新建活动", "activities created"), summary.activities_created),
        (Label("取消活动", "activities cancelled"), summary.activities_cancelled),
        (Label("新建任务", "tasks created"), summary.created),
        (Label("更新任务", "tasks updated"), summary.updated),
        (Label("恢复任务", "tasks reopened"), summary.reopened),
        (Label("取消任务", "tasks cancelled"), summary.cancelled),
        (Label("未变任务", "tasks unchanged"), summary.unchanged),
        (Label("保留已完成", "done tasks kept"), summary.kept_done),
    ]
    for label, count in rows:
        table.add_row(str(label), str(count))
    console.print(table)
    if summary.unpaired_children:
        stderr.print(
            say(
                f"{summary.unpaired_children} 名儿童尚未结对：其帮扶谈心暂由班主任负责。",
                f"{summary.unpaired_children} children are not paired: their head teacher takes "
                "their pairing-teacher tasks for now.",
            ),
            style="yellow",
        )
    if summary.over_capacity:
        stderr.print(
            say(
                f"{summary.over_capacity} 项任务超出每位教师每日上限，已安排在最空的日子。",
                f"{summary.over_capacity} tasks exceed a teacher's daily limit and were put on "
                "their least busy days.",
            ),
            style="yellow",
        )
    if summary.left_out:
        console.print(str(left_out_line(service, summary)), markup=False, soft_wrap=True)
    if summary.same_week:
        stderr.print(
            say(
                f"{summary.same_week:,} 项儿童任务与上一次的同类任务在同一周：时间窗内没有别的可用日子。",
                f"{summary.same_week:,} children's tasks fall in the same week as the same kind "
                "of task before: their window had no other day with room.",
            ),
            style="yellow",
        )


def left_out_line(service: Guanai, summary: PlanSummary) -> Label:
    """What the plan left out: tasks whose window closed before the school's first plan or
    the child's first day on the roster, with the count of each activity type."""
    types = sorted(summary.left_out_by_type.items(), key=lambda item: (-item[1], item[0]))
    titles = [(service.registry.get(name).title, count) for name, count in types]
    zh = "，".join(f"{title.zh} {count:,}" for title, count in titles)
    en = ", ".join(f"{title.en} {count:,}" for title, count in titles)
    return Label(
        f"已略过 {summary.left_out:,} 项开始前已截止的任务（{zh}）",
        f"Left out {summary.left_out:,} tasks whose window closed before the start ({en})",
    )


def tick_and_report(service: Guanai, now: datetime | None) -> None:
    report = service.tick(now)
    now = report.now
    console.print(
        say(
            f"{zoned_time(now)}：{report.became_due} 项到期，{report.became_overdue} 项逾期，"
            f"{report.escalated} 项上报，{report.reminders_queued} 条提醒入队。",
            f"{zoned_time(now)}: {report.became_due} due, {report.became_overdue} overdue, "
            f"{report.escalated} escalated, {report.reminders_queued} reminders queued.",
        ),
        soft_wrap=True,
    )


@click.command()
@click.argument("term", required=False)
@click.option(
    "--school", "schools", multiple=True, metavar="CODE", help="只计划这些学校 / only these schools"
)
@NOW_OPTION
@pass_service
def plan(service: Guanai, term: str | None, schools: tuple[str, ...], now: datetime | None) -> None:
    """按学期日历生成或更新活动与任务 / Plan or re-plan a term from its calendar.

    TERM is a shipped calendar name (2026-autumn, 2027-spring) or a calendar file.
    """
    plan_and_report(service, service.calendar(term), now, schools)


@click.command()
@NOW_OPTION
@pass_service
def tick(service: Guanai, now: datetime | None) -> None:
    """推进任务状态并生成提醒 / Move tasks through their states and queue reminders."""
    tick_and_report(service, now)


@click.command()
@click.option(
    "--until",
    "until",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="模拟到此日 / last day",
)
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    help="从此日开始（默认学期开始）/ first day (default: term start)",
)
@click.option("--term", help="学期日历 / term calendar")
@click.option(
    "--complete-share",
    default=0.0,
    type=click.FloatRange(0, 1),
    show_default=True,
    help="每天完成到期任务的比例 / share of due tasks completed each day",
)
@click.option("--seed", default=2026, show_default=True, help="随机种子 / random seed")
@pass_service
def simulate(
    service: Guanai,
    until: datetime,
    start: datetime | None,
    term: str | None,
    complete_share: float,
    seed: int,
) -> None:
    """逐日模拟学期（注入时钟）/ Run the term day by day with a simulated clock.

    What the simulated teachers record is audited under the acting account.
    """
    calendar = service.calendar(term)
    first: date = start.date() if start else calendar.starts_on
    last: date = until.date()
    if last < first:
        raise UserError(say("--until 早于开始日期", "--until is before the first day"))
    totals = {"due": 0, "overdue": 0, "escalated": 0, "reminders": 0, "completed": 0}
    with progress(Label("模拟学期", "simulating")) as bar:
        task = bar.add_task("", total=(last - first).days + 1)

        def on_day(day: SimulatedDay) -> None:
            totals["due"] += day.report.became_due
            totals["overdue"] += day.report.became_overdue
            totals["escalated"] += day.report.escalated
            totals["reminders"] += day.report.reminders_queued
            totals["completed"] += day.completed
            bar.advance(task)

        service.simulate(
            first,
            last,
            calendar=calendar,
            complete_share=complete_share,
            seed=seed,
            on_day=on_day,
        )
    console.print(
        say(
            f"已模拟 {first} 至 {last}：{totals['due']} 项到期，{totals['completed']} 项完成，"
            f"{totals['overdue']} 项逾期，{totals['escalated']} 项上报，{totals['reminders']} 条提醒入队。",
            f"Simulated {first} to {last}: {totals['due']} became due, {totals['completed']} completed, "
            f"{totals['overdue']} overdue, {totals['escalated']} escalated, "
            f"{totals['reminders']} reminders queued.",
        )
    )


MAX_RECORD_FILE = 1_048_576
"""The largest ``--json`` record, in bytes: far above a record's fields at their limits."""


def _parse_fields(fields: tuple[str, ...], json_file: Path | None) -> dict[str, object]:
    """The record as given: the ``--json`` file's fields, then each ``字段=值``."""
    data: dict[str, object] = {}
    if json_file is not None:
        data.update(_record_file(json_file))
    data.update(field_values(fields))
    return data


def _record_file(json_file: Path) -> dict[str, object]:
    """The JSON object of a ``--json`` file: at most :data:`MAX_RECORD_FILE` bytes, nested
    no deeper than the parser's stack (a record's fields are flat)."""
    try:
        with json_file.open("rb") as file:
            raw = file.read(MAX_RECORD_FILE + 1)
    except OSError as error:
        raise UserError(
            say(f"无法读取 {json_file}：{error}", f"cannot read {json_file}: {error}")
        ) from None
    if len(raw) > MAX_RECORD_FILE:
        raise UserError(
            say(
                f"{json_file} 超过 {MAX_RECORD_FILE} 字节：记录不会这么大",
                f"{json_file} is larger than {MAX_RECORD_FILE} bytes: no record is that large",
            )
        )
    try:
        loaded = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise UserError(
            say(
                f"{json_file} 嵌套过深：记录的字段应为简单的值",
                f"{json_file} is nested too deeply: a record's fields are plain values",
            )
        ) from None
    except ValueError as error:  # not UTF-8, or not JSON
        raise UserError(
            say(f"无法读取 {json_file}：{error}", f"cannot read {json_file}: {error}")
        ) from None
    if not isinstance(loaded, dict):
        raise UserError(say(f"{json_file} 应为 JSON 对象", f"{json_file} must hold a JSON object"))
    return loaded


@click.command()
@click.argument("task_id", type=ROW_ID)
@click.argument("assigned", nargs=-1, metavar="字段=值…")
@click.option(
    "-f", "--field", "fields", multiple=True, metavar="NAME=VALUE", help="记录字段 / a record field"
)
@click.option(
    "--json",
    "json_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="记录（JSON 文件）/ record as a JSON file",
)
@click.option(
    "--day-off-ok",
    is_flag=True,
    help="确认日期在周末或节假日 / confirm a date on a weekend or holiday",
)
@NOW_OPTION
@pass_service
def complete(
    service: Guanai,
    task_id: int,
    assigned: tuple[str, ...],
    fields: tuple[str, ...],
    json_file: Path | None,
    day_off_ok: bool,
    now: datetime | None,
) -> None:
    """记录一个步骤的完成情况 / Record a task's step as done, with its record.

    Each field is named by its key or its label, in Chinese or English, e.g.
    guanai complete 812 谈心日期=2026/12/1 地点=教室 主题=学习 记录=…; dates as the roster
    takes them (2026-12-01, 2026/12/1, 2026年12月1日). `guanai task show TASK` lists the fields.
    """
    record = _parse_fields(fields + assigned, json_file)
    try:
        done = service.complete(task_id, record, now, day_off_ok=day_off_ok)
    except DayOffError as error:
        raise UserError(
            say(
                f"{error.label.zh}（加 --day-off-ok 确认）",
                f"{error.label.en} (add --day-off-ok to confirm)",
            )
        ) from None
    title = step_title(service, done.activity_type, done.step)
    console.print(
        say(
            f"任务 {done.task_id} 已完成（{title.zh}）。", f"task {done.task_id} done ({title.en})."
        ),
        markup=False,
    )


COMMANDS = (plan, tick, simulate, complete)
