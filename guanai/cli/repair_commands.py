"""``guanai repair``: mark done the tasks left open although their work is recorded."""

from __future__ import annotations

from datetime import datetime

import click
from rich.table import Table

from guanai.cli.context import NOW_OPTION, console, pass_service, say
from guanai.cli.times import school_time, zoned
from guanai.cli.views import STATE_LABELS
from guanai.core.i18n import Label
from guanai.core.models import TaskState
from guanai.core.repair import StuckTask
from guanai.service import Guanai

NOTHING_TO_REPAIR = Label(
    "没有需要修复的任务：有记录的任务都已完成。",
    "Nothing to repair: every task with a record is done.",
)


def _table(title: str, state: Label, tasks: list[StuckTask]) -> Table:
    """The tasks, one a row: ``state`` heads their state column (now, or before the repair)."""
    table = Table(title=title, title_justify="left")
    table.add_column(say("任务号", "task"), no_wrap=True)
    table.add_column(say("日期", "day"), no_wrap=True)
    table.add_column(str(state))
    table.add_column(say("事项", "what"), overflow="fold")
    table.add_column(say("对象", "for"), overflow="fold")
    table.add_column(zoned(Label("记录人、记录时间", "recorded by, at")), overflow="fold")
    for task in tasks:
        table.add_row(
            str(task.task_id),
            f"{task.scheduled_on:%Y-%m-%d}",
            str(STATE_LABELS[TaskState(task.state)]),
            str(task.title),
            task.subject,
            f"{task.recorded_by} {school_time(task.recorded_at)}",
        )
    return table


@click.command()
@click.option("--school", "school_code", metavar="CODE", help="学校代码 / school code")
@click.option(
    "--yes",
    "confirmed",
    is_flag=True,
    help="确认修复；不加则只列出，不做修改 / repair them; without it, only list them",
)
@NOW_OPTION
@pass_service
def repair(service: Guanai, school_code: str | None, confirmed: bool, now: datetime | None) -> None:
    """修复有记录却未完成的任务 / Mark done the tasks that have a record but are not done.

    \b
    数据库升级到 0006 版（guanai init）之前，重新计划与教师记录同时进行时，可能使已记录的任务
    重回未完成（或已取消）状态；再次记录会失败（“这项任务已有记录”）。不加 --yes 只列出本校的
    这些任务，不做修改；加 --yes 则在一次事务中将其标记为已完成，完成时间与完成人取自记录，
    并以操作人身份记入审计。

    Before the database was upgraded to 0006 (guanai init), a re-plan running while teachers
    recorded their work could leave a recorded task open again (or cancelled); recording it
    again fails ("the task already has a record"). Without --yes this lists the school's such
    tasks and changes nothing; with --yes it marks them done in one transaction, completed
    when and by whom their record was saved, audited under the acting account. See
    docs/database.md.
    """
    tasks = service.repair(school_code, now) if confirmed else service.stuck_tasks(school_code)
    if not tasks:
        console.print(str(NOTHING_TO_REPAIR))
    elif confirmed:
        console.print(_table(say("已修复的任务", "Tasks repaired"), Label("原状态", "was"), tasks))
        console.print(
            say(
                f"已将 {len(tasks)} 项任务标记为已完成，并记入审计。",
                f"{len(tasks)} task(s) marked done, and audited.",
            )
        )
    else:
        console.print(
            _table(
                say("有记录但未完成的任务", "Tasks with a record, not done"),
                Label("状态", "state"),
                tasks,
            )
        )
        again = "guanai repair" + (f" --school {school_code}" if school_code else "") + " --yes"
        console.print(
            say(
                f"以上 {len(tasks)} 项任务尚未修改。运行 {again} 将其标记为已完成"
                "（完成时间与完成人取自记录）。",
                f"The {len(tasks)} task(s) above are unchanged. {again} marks them done,"
                " completed when and by whom their record was saved.",
            )
        )


COMMANDS = (repair,)
