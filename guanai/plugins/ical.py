"""iCalendar feeds as a plugin: ``guanai feeds`` and ``guanai export-ics`` (``guanai serve``,
which serves them, is the core CLI's: it runs the web server).

Built in, but written as any third-party plugin is: it adds its commands through the
``register_commands`` hook, gets the service with ``@pass_service`` and calls its feed
actions (:class:`guanai.Guanai`'s ``issue_feed``, ``rotate_feed``, ``revoke_feed``,
``list_feeds``, ``export_ics``). It imports only :mod:`guanai`.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from guanai import (
    LOOPBACK_NOTE,
    ROW_ID,
    Guanai,
    IssuedFeedLink,
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
    "未设置订阅地址：请在配置文件 [feeds] 中设置 base_url（教师手机能访问到的 guanai serve 地址，"
    "如 https://guanai.school.cn），或用 --base-url 指定，才能生成链接和二维码。"
    "在该地址前加上面的路径即为订阅链接。",
    "no feed address is set: set base_url in the config file's [feeds] table (where teachers' "
    "phones reach guanai serve, e.g. https://guanai.school.cn) or pass --base-url to get a link "
    "and a QR code. The feed's link is that address followed by the path above.",
)


def _say(zh: str, en: str) -> str:
    return str(Label(zh, en))


def _show_issued(link: IssuedFeedLink, qr: bool) -> None:
    """The new link (shown only this once), its QR code, and a note when the term is empty.
    Without a base URL: the token-bearing path and what to set, never a guessed address."""
    console.print(
        _say(
            f"订阅 {link.subscription_id}（{link.label}）已创建。链接只显示这一次：",
            f"feed subscription {link.subscription_id} ({link.label}) created. "
            "The link is shown only this once:",
        ),
        markup=False,
    )
    if link.url is None or link.webcal_url is None:
        click.echo(link.path)
        stderr.print(str(NO_BASE_URL), style="yellow", markup=False)
    else:
        click.echo(link.url)
        click.echo(link.webcal_url)
        if qr:
            click.echo(qr_text(link.webcal_url))
        if is_loopback(link.url):
            stderr.print(str(LOOPBACK_NOTE), style="yellow", markup=False)
    console.print(
        _say(
            f"静态文件名（guanai export-ics）：{link.slug}.ics",
            f"static file name (guanai export-ics): {link.slug}.ics",
        ),
        markup=False,
    )
    if not link.term_planned:
        stderr.print(
            _say(
                f"注意：学期 {link.term_key} 尚未计划，订阅在 guanai plan 之后才有内容。",
                f"note: term {link.term_key} is not planned yet; the feed stays empty until "
                "guanai plan.",
            ),
            style="yellow",
            markup=False,
        )


BASE_URL_OPTION = click.option(
    "--base-url",
    metavar="URL",
    help="服务器地址（默认：配置 [feeds] base_url）/ server URL (default: [feeds] base_url)",
)


@click.group()
def feeds() -> None:
    """日历订阅 / Calendar feed subscriptions."""


@feeds.command("issue")
@click.option("--teacher", metavar="CODE", help="教师工号 / a teacher's duties")
@click.option("--class", "class_name", metavar="NAME", help="班级名称 / a class's duties")
@click.option(
    "--all-school", "--school-wide", "school_wide", is_flag=True, help="全校活动 / school-wide"
)
@click.option("--school", "school_code", metavar="CODE", help="学校代码 / school code")
@click.option("--term", metavar="KEY", help="学期 / term key (default: the configured term)")
@BASE_URL_OPTION
@click.option("--alarms", is_flag=True, help="加提醒（VALARM）/ add reminders")
@click.option("--no-qr", is_flag=True, help="不显示二维码 / no QR code")
@pass_service
def issue(
    service: Guanai,
    teacher: str | None,
    class_name: str | None,
    school_wide: bool,
    school_code: str | None,
    term: str | None,
    base_url: str | None,
    alarms: bool,
    no_qr: bool,
) -> None:
    """新建订阅并显示链接 / Issue a feed and print its link (once)."""
    link = service.issue_feed(
        teacher_code=teacher,
        class_name=class_name,
        school_wide=school_wide,
        school_code=school_code,
        term_key=term,
        alarms=alarms,
        base_url=base_url,
    )
    _show_issued(link, not no_qr)


@feeds.command("list")
@click.option("--all", "show_all", is_flag=True, help="包括已撤销 / include revoked")
@pass_service
def list_feeds(service: Guanai, show_all: bool) -> None:
    """列出订阅（不显示链接）/ List subscriptions (never their links)."""
    rows = service.list_feeds(include_revoked=show_all)
    table = Table(title=_say("日历订阅", "Feed subscriptions"))
    for header in (
        _say("编号", "id"),
        _say("范围", "scope"),
        _say("名称", "label"),
        _say("学期", "term"),
        zoned(Label("创建", "created")),
        _say("创建人", "by"),
        zoned(Label("撤销", "revoked")),
    ):
        table.add_column(header)
    for row in rows:
        table.add_row(
            str(row.id),
            row.scope,
            row.label,
            row.term_key,
            school_time(row.created_at),
            row.created_by,
            school_time(row.revoked_at) if row.revoked_at else "",
        )
    console.print(table)


@feeds.command("revoke")
@click.argument("subscription_id", type=ROW_ID)
@pass_service
def revoke(service: Guanai, subscription_id: int) -> None:
    """撤销订阅：链接随即失效 / Revoke a subscription: its link stops working."""
    service.revoke_feed(subscription_id)
    console.print(
        _say(f"订阅 {subscription_id} 已撤销", f"subscription {subscription_id} revoked"),
        markup=False,
    )


@feeds.command("rotate")
@click.argument("subscription_id", type=ROW_ID)
@BASE_URL_OPTION
@click.option("--no-qr", is_flag=True, help="不显示二维码 / no QR code")
@pass_service
def rotate(service: Guanai, subscription_id: int, base_url: str | None, no_qr: bool) -> None:
    """换发新链接，旧链接失效 / Replace a subscription's link; the old one stops working."""
    _show_issued(service.rotate_feed(subscription_id, base_url=base_url), not no_qr)


@click.command("export-ics")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_service
def export_ics(service: Guanai, directory: Path) -> None:
    """把每个订阅写成静态 .ics 文件 / Write each live feed as a static file <slug>.ics.

    Files of revoked subscriptions are removed. Serve the directory without listings.
    """
    written, removed = service.export_ics(directory)
    console.print(
        _say(
            f"已写入 {written} 个日历文件，删除 {removed} 个已撤销的 → {directory}",
            f"{written} feeds written, {removed} revoked removed → {directory}",
        ),
        markup=False,
    )


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(feeds)
    cli.add_command(export_ics)
