"""``guanai task show``: one task, its step's fields (what ``complete`` takes) and its record."""

from __future__ import annotations

import click
from rich.table import Table

from guanai.cli.context import ROW_ID, console, pass_service, say
from guanai.cli.times import zoned_time
from guanai.core.activity import FieldKind
from guanai.core.i18n import Label
from guanai.service import Guanai

KINDS = {
    FieldKind.TEXT: Label("文字（一行）", "text (one line)"),
    FieldKind.LONG_TEXT: Label("文字（多行）", "text (several lines)"),
    FieldKind.DATE: Label("日期", "date"),
    FieldKind.INTEGER: Label("整数", "whole number"),
    FieldKind.BOOLEAN: Label("是/否", "yes/no"),
    FieldKind.CHOICE: Label("选择", "choice"),
}


def step_title(service: Guanai, activity_type: str, step: str) -> Label:
    """「谈心 · 班主任谈心」: a step named by its activity's and its own titles."""
    kind = service.registry.get(activity_type)
    title = kind.step(step).title
    return Label(f"{kind.title.zh} · {title.zh}", f"{kind.title.en} · {title.en}")


@click.group()
def task() -> None:
    """查看任务 / Show a task."""


@task.command()
@click.argument("task_id", type=ROW_ID)
@pass_service
def show(service: Guanai, task_id: int) -> None:
    """显示任务、其步骤的字段与记录 / Show a task, its step's fields and its record."""
    detail = service.task(task_id)
    heading = Label(
        f"{detail.activity_title.zh} · {detail.step_title.zh}",
        f"{detail.activity_title.en} · {detail.step_title.en}",
    )
    table = Table(title=say(f"任务 {detail.id}", f"Task {detail.id}"), show_header=False)
    table.add_column(style="bold")
    table.add_column()
    subject = "，".join(part for part in (detail.child_name, detail.class_name) if part)
    rows = [
        (Label("事项", "task"), str(heading)),
        (Label("活动", "activity"), detail.activity_key),
        (Label("对象", "for"), subject or say("全校", "the school")),
        (Label("负责人", "assignee"), detail.assignee or "—"),
        (
            Label("时间窗", "window"),
            say(
                f"{detail.opens_on} 至 {detail.due_on}（安排在 {detail.scheduled_on}）",
                f"{detail.opens_on} to {detail.due_on} (scheduled on {detail.scheduled_on})",
            ),
        ),
        (Label("截止", "due"), detail.due_on.isoformat()),
        (Label("状态", "state"), str(detail.state)),
    ]
    for label, value in rows:
        table.add_row(str(label), value)
    console.print(table)
    fields = Table(title=say("记录字段", "Record fields"), title_justify="left")
    for header in (
        Label("字段", "field"),
        Label("键", "key"),
        Label("类型", "kind"),
        Label("必填", "required"),
        Label("可选值", "choices"),
    ):
        fields.add_column(say(header.zh, header.en))
    for field in detail.fields:
        fields.add_row(
            str(field.label),
            field.name,
            str(KINDS[field.kind]),
            say("是", "yes") if field.required else say("否", "no"),
            "、".join(field.choices),
        )
    console.print(fields)
    if detail.recorded_at is None:
        console.print(
            say(
                f"填写：guanai complete {detail.id} 字段=值 …（字段名或键均可）",
                f"to record: guanai complete {detail.id} field=value … (label or key)",
            ),
            markup=False,
        )
        return
    record = Table(title=say("记录", "Record"), title_justify="left", show_header=False)
    record.add_column(style="bold")
    record.add_column()
    record.add_row(say("记录人", "recorded by"), detail.recorded_by or "—")
    record.add_row(say("记录时间", "recorded at"), zoned_time(detail.recorded_at))
    for label, value in detail.record:
        record.add_row(str(label), str(value))
    console.print(record)


COMMANDS = (task,)
