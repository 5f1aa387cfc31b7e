"""``guanai accounts``: who may use guanai, and in which role."""

from __future__ import annotations

import click
from rich.table import Table
from sqlalchemy import select

from guanai.cli.context import Context, console, pass_context, say
from guanai.core.accounts import add_account, remove_account
from guanai.core.models import Account, School, Teacher
from guanai.core.vocabulary import ROLES


@click.group()
def accounts() -> None:
    """账号与角色 / Accounts and their roles."""


@accounts.command("add")
@click.argument("name")
@click.option(
    "--role", required=True, help="coordinator | head_teacher | teacher | bureau（或中文）"
)
@click.option("--school", metavar="CODE", help="学校代码 / school code")
@click.option("--teacher", metavar="CODE", help="教师工号 / the teacher's code")
@pass_context
def add(context: Context, name: str, role: str, school: str | None, teacher: str | None) -> None:
    """添加账号 / Add an account."""
    with context.transaction() as session:
        account = add_account(
            session,
            context.viewer(session),
            name=name,
            role=role,
            school_code=school,
            teacher_code=teacher,
        )
        label = ROLES.label(account.role)
    console.print(say(f"已添加账号 {name}（{label.zh}）", f"account {name} added ({label.en})"))


@accounts.command("remove")
@click.argument("name")
@pass_context
def remove(context: Context, name: str) -> None:
    """删除账号 / Remove an account."""
    with context.transaction() as session:
        remove_account(session, context.viewer(session), name)
    console.print(say(f"已删除账号 {name}", f"account {name} removed"))


@accounts.command("list")
@pass_context
def list_accounts(context: Context) -> None:
    """列出账号 / List accounts."""
    with context.transaction() as session:
        rows = session.execute(
            select(Account.name, Account.role, School.code, Teacher.code)
            .outerjoin(School, School.id == Account.school_id)
            .outerjoin(Teacher, Teacher.id == Account.teacher_id)
            .order_by(Account.name)
        ).all()
    table = Table(title=say("账号", "Accounts"))
    for header in (
        say("账号", "name"),
        say("角色", "role"),
        say("学校", "school"),
        say("教师工号", "teacher"),
    ):
        table.add_column(header)
    for name, role, school, teacher in rows:
        table.add_row(name, str(ROLES.label(role)), school or say("全部", "all"), teacher or "")
    console.print(table)


COMMANDS = (accounts,)
