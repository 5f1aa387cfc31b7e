"""``guanai child show`` and ``guanai child set``: one child's card, its history, a manual edit."""

from __future__ import annotations

from datetime import datetime

import click
from rich.table import Table

from guanai.cli.context import NOW_OPTION, UserError, console, pass_service, say
from guanai.cli.times import school_time, zoned
from guanai.core.i18n import Label
from guanai.service import Guanai


@click.group()
def child() -> None:
    """查看或修改一名儿童的档案 / Show or edit one child's record."""


@child.command()
@click.argument("student_no")
@click.option("--school", "school_code", metavar="CODE", help="学校代码 / school code")
@pass_service
def show(service: Guanai, student_no: str, school_code: str | None) -> None:
    """显示联系卡及修改记录 / Show the child's card and its history."""
    card = service.child_card(student_no, school_code)
    table = Table(title=say(f"学号 {student_no}", f"Student no. {student_no}"), show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for line in card.lines:
        table.add_row(str(line.header), line.value)
    console.print(table)
    if card.masked:
        console.print(
            say("按你的权限，部分信息已遮蔽。", "Some details are masked for your role."),
            style="yellow",
        )
    history = Table(title=say("修改记录", "History"), title_justify="left")
    headers = [zoned(Label("时间", "when")), say("操作人", "by"), say("字段", "field")]
    if card.history_values:
        headers += [say("原值", "was"), say("新值", "now")]
    for header in [*headers, say("来源", "source")]:
        history.add_column(header)
    for entry in card.history:
        values = [entry.old or "", entry.new or ""] if card.history_values else []
        history.add_row(school_time(entry.at), entry.by, str(entry.field), *values, entry.source)
    console.print(history)


@child.command("set")
@click.argument("student_no")
@click.argument("assignments", nargs=-1, required=True, metavar="字段=值…")
@click.option("--school", "school_code", metavar="CODE", help="学校代码 / school code")
@NOW_OPTION
@pass_service
def set_fields(
    service: Guanai,
    student_no: str,
    assignments: tuple[str, ...],
    school_code: str | None,
    now: datetime | None,
) -> None:
    """修改档案字段，保留修改记录 / Change fields of a child's record; the history keeps the old values.

    Each field is named by its roster header in Chinese or English, e.g.
    guanai child set 20260101 监护人电话=13900139000 "Home address=某县某镇某村3组".
    An empty value (备注=) clears the field.
    """
    summary = service.edit_child(
        student_no, field_values(assignments), school_code=school_code, now=now
    )
    if summary.changes:
        console.print(
            say(
                f"学号 {student_no}：已修改 {summary.changes} 个字段，修改记录已保存。",
                f"student no. {student_no}: {summary.changes} field(s) changed and kept in the history.",
            )
        )
    else:
        console.print(
            say(f"学号 {student_no}：没有变化。", f"student no. {student_no}: no change.")
        )


def field_values(items: tuple[str, ...]) -> dict[str, str]:
    """``字段=值`` pairs (a full-width ＝ works too). A malformed one is not echoed back: it may
    be a private value typed without its field."""
    values: dict[str, str] = {}
    for number, item in enumerate(items, start=1):
        split = min((i for i in (item.find("="), item.find("＝")) if i >= 0), default=-1)
        name, value = item[:split].strip(), item[split + 1 :]
        if split < 0 or not name:
            raise UserError(
                say(
                    f"第 {number} 个字段应写成 字段=值",
                    f"field {number} must be written as field=value",
                )
            )
        values[name] = value
    return values


COMMANDS = (child,)
