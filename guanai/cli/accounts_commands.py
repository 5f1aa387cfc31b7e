"""``guanai accounts``: who may use guanai, and in which role."""

from __future__ import annotations

import click
from rich.table import Table

from guanai.cli.context import console, pass_service, say
from guanai.core.vocabulary import ROLES
from guanai.service import Guanai


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
@pass_service
def add(service: Guanai, name: str, role: str, school: str | None, teacher: str | None) -> None:
    """添加账号 / Add an account."""
    account = service.add_account(name, role, school_code=school, teacher_code=teacher)
    label = ROLES.label(account.role)
    console.print(say(f"已添加账号 {name}（{label.zh}）", f"account {name} added ({label.en})"))


@accounts.command("remove")
@click.argument("name")
@pass_service
def remove(service: Guanai, name: str) -> None:
    """删除账号 / Remove an account."""
    service.remove_account(name)
    console.print(say(f"已删除账号 {name}", f"account {name} removed"))


@accounts.command("list")
@pass_service
def list_accounts(service: Guanai) -> None:
    """列出账号 / List accounts."""
    table = Table(title=say("账号", "Accounts"))
    for header in (
        say("账号", "name"),
        say("角色", "role"),
        say("学校", "school"),
        say("教师工号", "teacher"),
    ):
        table.add_column(header)
    for row in service.accounts():
        table.add_row(
            row.name,
            str(ROLES.label(row.role)),
            row.school_code or say("全部", "all"),
            row.teacher_code or "",
        )
    console.print(table)


COMMANDS = (accounts,)
