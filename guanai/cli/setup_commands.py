"""``guanai init`` and ``guanai demo``: a database, and a demo school planned and running."""

from __future__ import annotations

import click
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from guanai.cli.context import NOW_OPTION, Context, console, pass_context, say
from guanai.cli.engine_commands import plan_and_report, tick_and_report
from guanai.cli.views import print_agenda
from guanai.core import db
from guanai.core.demo import create_demo_school
from guanai.core.models import Child, School, Teacher


@click.command()
@pass_context
def init(context: Context) -> None:
    """创建或升级数据库 / Create or upgrade the database."""
    try:
        db.upgrade(context.engine)
    except OperationalError as error:
        raise context.unreachable(error) from None
    where = context.engine.url.render_as_string(hide_password=True)
    console.print(say(f"数据库已就绪：{where}", f"database ready: {where}"))


@click.command()
@click.option(
    "--children", default=300, show_default=True, help="留守儿童人数 / number of children"
)
@click.option("--term", help="学期日历（内置名称或文件）/ term calendar (shipped name or file)")
@NOW_OPTION
@pass_context
def demo(context: Context, children: int, term: str | None, now_text: str | None) -> None:
    """建立示范学校，计划学期并运行到今天 / Set up a demo school, plan its term, run it to today."""
    try:
        db.upgrade(context.engine)
    except OperationalError as error:
        raise context.unreachable(error) from None
    with context.transaction() as session:
        school = session.scalars(select(School).where(School.code == "DEMO")).first()
        if school is None:
            create_demo_school(session, children=children)
            created = True
        else:
            created = False
        counts = (
            session.scalar(
                select(func.count()).select_from(Child).join(School).where(School.code == "DEMO")
            ),
            session.scalar(
                select(func.count()).select_from(Teacher).join(School).where(School.code == "DEMO")
            ),
        )
    verb = say("已建立", "created") if created else say("已存在", "already there")
    console.print(
        say(
            f"示范学校“关爱示范小学”{verb}：{counts[0]} 名留守儿童，{counts[1]} 名教师。",
            f"Demo school {verb}: {counts[0]} left-behind children, {counts[1]} teachers.",
        )
    )
    calendar = context.calendar(term)
    now = context.now(now_text, calendar.timezone)
    plan_and_report(context, calendar, now, school_codes=("DEMO",))
    tick_and_report(context, now)
    today = now.astimezone(calendar.tz).date()
    start = max(today, calendar.starts_on)
    print_agenda(context, "DEMO", None, start, 7)
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
