"""``guanai accounts``: who may use guanai, and in which role."""

from __future__ import annotations

import json
import re
import shlex

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
    "--role",
    required=True,
    help="coordinator | head_teacher | teacher | bureau，或中文 / or in Chinese: "
    + ROLES.spellings().zh,
)
@click.option(
    "--school",
    metavar="CODE",
    help="学校代码，默认本校或唯一的学校 / school code; default: your own or the only school",
)
@click.option("--teacher", metavar="CODE", help="教师工号 / the teacher's code")
@pass_service
def add(service: Guanai, name: str, role: str, school: str | None, teacher: str | None) -> None:
    """添加账号 / Add an account.

    第一个账号须为关爱办；此后每条命令都须以账号身份运行（--as）。

    The first account must be a coordinator's; from then on every command runs as an account
    (--as).
    """
    account = service.add_account(name, role, school_code=school, teacher_code=teacher)
    label = ROLES.label(account.role)
    where = account.school_code or say("全部学校", "every school")
    console.print(
        say(
            f"已添加账号 {name}（{label.zh}，{where}）",
            f"account {name} added ({label.en}, {where})",
        ),
    )
    if account.first:
        # one line, so that the command in it can be copied whole
        console.print(_act_as(name, service.settings.source), soft_wrap=True)


def _act_as(name: str, config_file: str) -> str:
    """How to act as ``name`` from now on: the install has accounts, so a user who is none of
    them is refused (see :mod:`guanai.core.access`)."""
    word = name if re.fullmatch(r"[\w@%+=:,./-]+", name) else shlex.quote(name)
    toml = f"actor = {json.dumps(name, ensure_ascii=False)}"
    return say(
        f"这是第一个账号：从现在起，每条命令都须以账号身份运行，例如 guanai --as {word} …；"
        f"或设置环境变量 GUANAI_ACTOR={word}，或在配置文件 {config_file} 中写 {toml}",
        f"this is the first account: from now on every command must be run as an account, "
        f"e.g. guanai --as {word} ...; or set GUANAI_ACTOR={word}, or write {toml} in the "
        f"config file {config_file}",
    )


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
