"""``guanai init`` and ``guanai demo``: a database, and a demo school planned and running."""

from __future__ import annotations

from datetime import datetime

import click

from guanai.cli.context import NOW_OPTION, console, pass_service, say, stderr
from guanai.cli.engine_commands import plan_and_report, tick_and_report
from guanai.cli.views import print_agenda
from guanai.service import Guanai
from guanai.service.engine_actions import DEMO_SCHOOL


@click.command()
@pass_service
def init(service: Guanai) -> None:
    """创建或升级数据库 / Create or upgrade the database."""
    where = service.init_database()
    console.print(say(f"数据库已就绪：{where}", f"database ready: {where}"))
    stuck = service.stuck_task_counts()
    if stuck:
        total = sum(stuck.values())
        zh = "，".join(f"{code} {n} 项" for code, n in stuck.items())
        en = ", ".join(f"{code}: {n}" for code, n in stuck.items())
        stderr.print(
            say(
                f"{total} 项任务有记录但未完成（{zh}）：运行 guanai repair --school 学校代码 修复。",
                f"{total} tasks have a record but are not done ({en}): run guanai repair"
                " --school CODE to repair them.",
            ),
            style="yellow",
        )


@click.command()
@click.option(
    "--children", default=300, show_default=True, help="留守儿童人数 / number of children"
)
@click.option("--term", help="学期日历（内置名称或文件）/ term calendar (shipped name or file)")
@NOW_OPTION
@pass_service
def demo(service: Guanai, children: int, term: str | None, now: datetime | None) -> None:
    """建立示范学校，计划学期并运行到今天 / Set up a demo school, plan its term, run it to today."""
    report = service.create_demo_school(children)
    verb = say("已建立", "created") if report.created else say("已存在", "already there")
    console.print(
        say(
            f"示范学校“关爱示范小学”{verb}：{report.children} 名留守儿童，{report.teachers} 名教师。",
            f"Demo school {verb}: {report.children} left-behind children, {report.teachers} "
            "teachers.",
        )
    )
    calendar = service.calendar(term)
    now = now or service.now()
    plan_and_report(service, calendar, now, school_codes=(DEMO_SCHOOL,))
    tick_and_report(service, now)
    today = now.astimezone(calendar.tz).date()
    print_agenda(service, DEMO_SCHOOL, None, max(today, calendar.starts_on), 7)
    console.print(
        say(
            "接下来：guanai tui 打开仪表板，guanai agenda 查看待办，guanai complete 记录完成，"
            "guanai run 发送提醒，guanai simulate --until 日期 模拟学期。",
            "Next: guanai tui opens the dashboard, guanai agenda shows what is due, guanai "
            "complete records work, guanai run sends reminders, guanai simulate --until DATE "
            "runs the term.",
        )
    )


COMMANDS = (init, demo)
