"""Teachers' personal links to their phone pages as a plugin: ``guanai links``.

A link signs a phone in as the teacher's account (see :mod:`guanai.service.link_actions`), so
it is shown once, when it is issued or rotated, and never listed. Its QR code is drawn only
for a whole URL: a bare path scanned by a phone opens nothing, so without ``[feeds] base_url``
(or ``--base-url``) the command prints the path and says what to set.

Built in, but written as any third-party plugin is: it adds its commands through the
``register_commands`` hook and calls the service's link actions (``issue_teacher_link``,
``rotate_teacher_link``, ``revoke_teacher_link``, ``teacher_links``). It imports only
:mod:`guanai`.
"""

from __future__ import annotations

from datetime import datetime

import click
from rich.table import Table

from guanai import (
    LOOPBACK_NOTE,
    ROW_ID,
    Guanai,
    IssuedTeacherLink,
    Label,
    TerminalConsole,
    hookimpl,
    is_loopback,
    pass_service,
    qr_text,
    school_time,
    zoned,
)

console = TerminalConsole()
stderr = TerminalConsole(stderr=True)

NO_BASE_URL = Label(
    "未设置服务器地址：请在配置文件 [feeds] 中设置 base_url（教师手机能访问到的 guanai serve 地址，"
    "如 https://guanai.school.cn），或用 --base-url 指定，才能生成链接和二维码。"
    "在该地址前加上面的路径即为教师的链接。",
    "no server address is set: set base_url in the config file's [feeds] table (where "
    "teachers' phones reach guanai serve, e.g. https://guanai.school.cn) or pass --base-url to "
    "get a link and a QR code. The teacher's link is that address followed by the path above.",
)
PURPOSES = {
    "link": Label("个人链接", "personal"),
    "reminder": Label("提醒所带", "in a reminder"),
}


def _say(zh: str, en: str) -> str:
    return str(Label(zh, en))


def _when(moment: datetime | None) -> str:
    return school_time(moment) if moment is not None else ""


def _show_issued(link: IssuedTeacherLink, qr: bool) -> None:
    """The new link (shown only this once) and its QR code; the account made for it."""
    console.print(
        _say(
            f"教师链接 {link.link_id} 已签发：{link.teacher_name}（{link.teacher_code}），"
            f"以账号 {link.account_name} 记录。链接只显示这一次：",
            f"teacher link {link.link_id} issued: {link.teacher_name} ({link.teacher_code}), "
            f"recording as account {link.account_name}. The link is shown only this once:",
        ),
        markup=False,
    )
    if link.url is None:
        click.echo(link.path)
        stderr.print(str(NO_BASE_URL), style="yellow", markup=False)
    else:
        click.echo(link.url)
        if qr:
            click.echo(qr_text(link.url))
        if is_loopback(link.url):
            stderr.print(str(LOOPBACK_NOTE), style="yellow", markup=False)
    if link.account_created:
        console.print(
            _say(
                f"已为该教师新建教师账号 {link.account_name}（guanai accounts list 可查看）。",
                f"a teacher account {link.account_name} was created for this teacher "
                "(see guanai accounts list).",
            ),
            markup=False,
        )


BASE_URL_OPTION = click.option(
    "--base-url",
    metavar="URL",
    help="服务器地址（默认：配置 [feeds] base_url）/ server URL (default: [feeds] base_url)",
)
NO_QR_OPTION = click.option("--no-qr", is_flag=True, help="不显示二维码 / no QR code")


@click.group()
def links() -> None:
    """教师手机链接 / Teachers' links to their phone pages."""


@links.command("issue")
@click.option("--teacher", "teacher_code", required=True, metavar="CODE", help="教师工号 / code")
@click.option("--school", "school_code", metavar="CODE", help="学校代码 / school code")
@BASE_URL_OPTION
@NO_QR_OPTION
@pass_service
def issue(
    service: Guanai,
    teacher_code: str,
    school_code: str | None,
    base_url: str | None,
    no_qr: bool,
) -> None:
    """签发教师链接并显示（仅此一次）/ Issue a teacher's link and print it (once).

    Creates the teacher's account when they have none.
    """
    link = service.issue_teacher_link(teacher_code, school_code=school_code, base_url=base_url)
    _show_issued(link, not no_qr)


@links.command("list")
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="包括已撤销和提醒所带的 / include revoked and reminders'",
)
@pass_service
def list_links(service: Guanai, show_all: bool) -> None:
    """列出教师链接（不显示链接本身）/ List teacher links (never the links themselves)."""
    rows = service.teacher_links(include_revoked=show_all, include_reminders=show_all)
    table = Table(title=_say("教师链接", "Teacher links"))
    for header in (
        _say("编号", "id"),
        _say("教师", "teacher"),
        _say("账号", "account"),
        _say("用途", "purpose"),
        zoned(Label("创建", "created")),
        _say("创建人", "by"),
        zoned(Label("最近使用", "last used")),
        zoned(Label("到期", "expires")),
        zoned(Label("撤销", "revoked")),
    ):
        table.add_column(header)
    for row in rows:
        table.add_row(
            str(row.id),
            _say(
                f"{row.teacher_name}（{row.teacher_code}）",
                f"{row.teacher_name} ({row.teacher_code})",
            ),
            row.account_name,
            str(PURPOSES.get(row.purpose, Label(row.purpose, row.purpose))),
            school_time(row.created_at),
            row.created_by,
            _when(row.last_used_at),
            _when(row.expires_at),
            _when(row.revoked_at),
        )
    console.print(table)


@links.command("revoke")
@click.argument("link_id", type=ROW_ID)
@pass_service
def revoke(service: Guanai, link_id: int) -> None:
    """撤销链接：它和用它登录的手机随即失效 / Revoke a link and the phones signed in with it."""
    service.revoke_teacher_link(link_id)
    console.print(
        _say(
            f"教师链接 {link_id} 已撤销：该链接和用它登录的手机从现在起都打不开",
            f"teacher link {link_id} revoked: it and the phones signed in with it stop working now",
        ),
        markup=False,
    )


@links.command("rotate")
@click.argument("link_id", type=ROW_ID)
@BASE_URL_OPTION
@NO_QR_OPTION
@pass_service
def rotate(service: Guanai, link_id: int, base_url: str | None, no_qr: bool) -> None:
    """换发新链接，旧链接失效 / Replace a teacher's link; the old one stops working."""
    _show_issued(service.rotate_teacher_link(link_id, base_url=base_url), not no_qr)


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(links)
