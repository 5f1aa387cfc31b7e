"""``agenda`` and ``plugins``: read-only views in readable tables."""

from __future__ import annotations

import json
from datetime import date, datetime

import click
from rich.table import Table

from guanai.cli.context import ROW_ID, console, pass_service, report_plugin_problems, say
from guanai.core.activity_registry import CALENDAR_OWNER
from guanai.core.agenda import LIMIT, AgendaItem
from guanai.core.i18n import Label
from guanai.core.models import TaskState
from guanai.core.schools import SCHOOL_TIMEZONE
from guanai.core.text import terminal_safe
from guanai.service import Guanai

STATE_LABELS = {
    TaskState.PENDING: Label("待开始", "pending"),
    TaskState.DUE: Label("待办", "due"),
    TaskState.OVERDUE: Label("逾期", "overdue"),
    TaskState.ESCALATED: Label("已上报", "escalated"),
    TaskState.DONE: Label("已完成", "done"),
    TaskState.CANCELLED: Label("已取消", "cancelled"),
}
STATE_STYLES = {
    TaskState.OVERDUE: "yellow",
    TaskState.ESCALATED: "bold red",
    TaskState.DUE: "green",
}


def _table(title: str, items: list[AgendaItem]) -> Table:
    table = Table(title=title, title_justify="left")
    for header in (
        Label("日期", "day"),
        Label("截止", "due by"),
        Label("状态", "state"),
        Label("事项", "what"),
        Label("对象", "for"),
        Label("负责人", "who"),
        Label("任务号", "task"),
    ):
        table.add_column(str(header), no_wrap=header.en in ("day", "due by", "task"))
    for item in items:
        state = TaskState(item.state)
        table.add_row(
            f"{item.day:%m-%d}",
            f"{item.due_on:%m-%d}",
            str(STATE_LABELS[state]),
            str(item.title),
            item.subject,
            item.assignee,
            str(item.task_id),
            style=STATE_STYLES.get(state),
        )
    return table


def _more(shown: list[AgendaItem], total: int) -> None:
    """Say how many items a table left out, and how to see them."""
    if total > len(shown):
        more = total - len(shown)
        console.print(say(f"还有 {more} 项（--limit 调整）", f"{more} more (--limit)"))


def print_agenda(
    service: Guanai,
    school: str | None,
    teacher: str | None,
    start: date,
    days: int,
    limit: int = LIMIT,
) -> None:
    """The agenda's two tables, each of at most ``limit`` rows and saying how many it left
    out."""
    plate = service.agenda(school, teacher, start, days, limit)
    if plate.upcoming:
        console.print(
            _table(
                say(f"{start} 起 {days} 天的待办", f"Due from {start} for {days} days"),
                plate.upcoming,
            )
        )
        _more(plate.upcoming, plate.upcoming_total)
    else:
        console.print(
            say(f"{start} 起 {days} 天没有待办。", f"Nothing due from {start} for {days} days.")
        )
    if plate.overdue:
        shown = len(plate.overdue)
        console.print(
            _table(
                say(
                    f"逾期（共 {plate.overdue_total} 项，显示最早的 {shown} 项）",
                    f"Overdue ({plate.overdue_total} in all, the {shown} oldest shown)",
                ),
                plate.overdue,
            )
        )
        _more(plate.overdue, plate.overdue_total)


@click.command()
@click.option("--school", metavar="CODE", help="学校代码 / school code")
@click.option(
    "--teacher",
    metavar="CODE",
    help="教师工号（默认全校；教师只看自己的）/ a teacher's code (default: the whole school; a "
    "teacher sees only their own)",
)
@click.option(
    "--date",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    help="起始日（默认今天）/ first day (default today)",
)
@click.option(
    "--days", default=7, show_default=True, type=click.IntRange(1, 366), help="天数 / days"
)
@click.option(
    "--limit",
    default=LIMIT,
    show_default=True,
    type=ROW_ID,
    help="待办、逾期各最多列出几项 / at most this many rows of each table",
)
@pass_service
def agenda(
    service: Guanai,
    school: str | None,
    teacher: str | None,
    start: datetime | None,
    days: int,
    limit: int,
) -> None:
    """教师或全校接下来几天的待办 / A teacher's or the school's next days."""
    first = start.date() if start else service.now().astimezone(SCHOOL_TIMEZONE).date()
    print_agenda(service, school, teacher, first, days, limit)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 / print JSON")
@pass_service
def plugins(service: Guanai, as_json: bool) -> None:
    """列出已加载的插件 / List loaded plugins with their version and hooks.

    未能加载的插件也列出，附其错误 / A plugin that failed to load is listed with its error.
    """
    service.identify()
    pm = service.pm
    registry = service.registry
    pm.channel_types()  # so that an invalid channel is listed with its plugin
    report_plugin_problems(pm)
    problems: dict[str, list[str]] = {}
    for problem in pm.problems:
        problems.setdefault(problem.plugin, []).append(problem.reason)
    known = set(pm.hook_names())
    rows = []
    for name, plugin in sorted(pm.list_name_plugin()):
        callers = pm.get_hookcallers(plugin) or []
        hooks = sorted(h.name for h in callers if h.name in known)
        types = sorted(t for t, owner in registry.owners.items() if owner == name)
        rows.append(
            {
                "name": name,
                "version": pm.version_of(name),
                "hooks": hooks,
                "activity_types": types,
                "error": "; ".join(problems.pop(name, [])) or None,
            }
        )
    rows += [
        {
            "name": name,
            "version": pm.versions.get(name),
            "hooks": [],
            "activity_types": [],
            "error": "; ".join(reasons),
        }
        for name, reasons in sorted(problems.items())
    ]
    calendars: dict[str, list[str]] = {}  # the activity types planned terms' calendars define
    for type_name, term_key in sorted(registry.defined_by_calendars().items()):
        calendars.setdefault(f"{CALENDAR_OWNER}{term_key}", []).append(type_name)
    rows += [
        {"name": name, "version": None, "hooks": [], "activity_types": types, "error": None}
        for name, types in sorted(calendars.items())
    ]
    if as_json:
        click.echo(terminal_safe(json.dumps(rows, ensure_ascii=False, indent=2)))
        return
    table = Table(title=say("已加载的插件", "Loaded plugins"))
    for header in (
        Label("名称", "name"),
        Label("版本", "version"),
        Label("钩子", "hooks"),
        Label("活动类型", "activity types"),
    ):
        table.add_column(str(header))
    for row in rows:
        hooks = ", ".join(row["hooks"])
        if row["error"]:
            hooks += say(f" 出错：{row['error']}", f" error: {row['error']}")
        table.add_row(row["name"], row["version"] or "-", hooks, ", ".join(row["activity_types"]))
    console.print(table)


COMMANDS = (agenda, plugins)
