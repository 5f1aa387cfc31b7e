"""iCalendar feeds as a plugin: ``guanai feeds``, ``guanai serve`` and ``guanai export-ics``.

Built in, but written as any third-party plugin would be: it adds its commands through the
``register_commands`` hook and does its work through :mod:`guanai.core.feeds`.
"""

from __future__ import annotations

import io
from pathlib import Path

import click
import qrcode
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai import hookimpl
from guanai.cli.context import Context, UserError, console, pass_context, say, stderr
from guanai.core.access import require_role, require_school
from guanai.core.feeds.cache import FeedCache
from guanai.core.feeds.scope import FeedKey
from guanai.core.feeds.server import FeedServer
from guanai.core.feeds.tokens import IssuedFeed, issue_feed, revoke_feed, rotate_feed
from guanai.core.models import FeedSubscription, School, SchoolClass, Teacher, Term

DEFAULT_BASE_URL = "http://127.0.0.1:8080"


def _coordinator(context: Context, session: Session) -> int | None:
    """Refuse anyone but a coordinator; return the school they are bound to, if any."""
    viewer = context.viewer(session)
    require_role(viewer, "coordinator")
    return viewer.school_id


def _own(context: Context, session: Session, subscription_id: int) -> None:
    """Refuse a coordinator bound to one school another school's subscription."""
    _coordinator(context, session)
    subscription = session.get(FeedSubscription, subscription_id)
    if subscription is not None:
        require_school(context.viewer(session), subscription.school_id)


def _school(session: Session, code: str | None) -> School:
    if code is not None:
        school = session.scalars(select(School).where(School.code == code)).one_or_none()
        if school is None:
            raise UserError(say(f"找不到学校 {code}", f"school {code} not found"))
        return school
    schools = session.scalars(select(School).order_by(School.id).limit(2)).all()
    if len(schools) != 1:
        raise UserError(
            say("请用 --school 指定学校代码", "name the school with --school CODE")
            if schools
            else say("还没有学校", "there is no school yet")
        )
    return schools[0]


def feed_urls(base_url: str, token: str) -> tuple[str, str]:
    """The https (or http) URL of a feed and its webcal:// twin."""
    url = f"{base_url.rstrip('/')}/feeds/{token}.ics"
    return url, "webcal://" + url.split("://", 1)[1]


def qr_text(url: str, border: int = 2) -> str:
    """A QR code of ``url`` in Unicode half blocks, to scan from the terminal (``border``:
    quiet-zone modules around it; the dashboard's 80x24 modal uses 1)."""
    code = qrcode.QRCode(border=border, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(url)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()


def _show_issued(issued: IssuedFeed, base_url: str, qr: bool) -> None:
    url, webcal = feed_urls(base_url, issued.token)
    subscription = issued.subscription
    console.print(
        say(
            f"订阅 {subscription.id}（{subscription.label}）已创建。链接只显示这一次：",
            f"feed subscription {subscription.id} ({subscription.label}) created. "
            "The link is shown only this once:",
        ),
        markup=False,
    )
    click.echo(url)
    click.echo(webcal)
    if qr:
        click.echo(qr_text(webcal))
    console.print(
        say(
            f"静态文件名（guanai export-ics）：{subscription.slug}.ics",
            f"static file name (guanai export-ics): {subscription.slug}.ics",
        ),
        markup=False,
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
@click.option(
    "--base-url", default=DEFAULT_BASE_URL, show_default=True, help="服务器地址 / server URL"
)
@click.option("--alarms", is_flag=True, help="加提醒（VALARM）/ add reminders")
@click.option("--no-qr", is_flag=True, help="不显示二维码 / no QR code")
@pass_context
def issue(
    context: Context,
    teacher: str | None,
    class_name: str | None,
    school_wide: bool,
    school_code: str | None,
    term: str | None,
    base_url: str,
    alarms: bool,
    no_qr: bool,
) -> None:
    """新建订阅并显示链接 / Issue a feed and print its link (once)."""
    if sum((teacher is not None, class_name is not None, school_wide)) != 1:
        raise UserError(
            say(
                "请指定 --teacher、--class 或 --all-school 之一",
                "give exactly one of --teacher, --class or --all-school",
            )
        )
    term_key = term or context.calendar(None).key
    with context.transaction() as session:
        _coordinator(context, session)
        school = _school(session, school_code)
        require_school(context.viewer(session), school.id)
        teacher_id = class_id = None
        if teacher is not None:
            found = session.scalars(
                select(Teacher).where(Teacher.school_id == school.id, Teacher.code == teacher)
            ).one_or_none()
            if found is None:
                raise UserError(say(f"找不到教师 {teacher}", f"teacher {teacher} not found"))
            scope, teacher_id, label = "teacher", found.id, f"{found.name}（{found.code}）"
        elif class_name is not None:
            klass = session.scalars(
                select(SchoolClass).where(
                    SchoolClass.school_id == school.id, SchoolClass.name == class_name
                )
            ).one_or_none()
            if klass is None:
                raise UserError(say(f"找不到班级 {class_name}", f"class {class_name} not found"))
            scope, class_id, label = "class", klass.id, klass.name
        else:
            scope, label = "school", school.name
        issued = issue_feed(
            session,
            scope=scope,
            school_id=school.id,
            teacher_id=teacher_id,
            class_id=class_id,
            term_key=term_key,
            label=label,
            actor=context.actor,
            now=context.now(None),
            alarms=alarms,
        )
        planned = session.scalars(select(Term.id).where(Term.key == term_key)).first()
    _show_issued(issued, base_url, not no_qr)
    if planned is None:
        stderr.print(
            say(
                f"注意：学期 {term_key} 尚未计划，订阅在 guanai plan 之后才有内容。",
                f"note: term {term_key} is not planned yet; the feed stays empty until "
                "guanai plan.",
            ),
            style="yellow",
            markup=False,
        )


@feeds.command("list")
@click.option("--all", "show_all", is_flag=True, help="包括已撤销 / include revoked")
@pass_context
def list_feeds(context: Context, show_all: bool) -> None:
    """列出订阅（不显示链接）/ List subscriptions (never their links)."""
    with context.transaction() as session:
        bound = _coordinator(context, session)
        query = select(FeedSubscription).order_by(FeedSubscription.id)
        if bound is not None:
            query = query.where(FeedSubscription.school_id == bound)
        if not show_all:
            query = query.where(FeedSubscription.revoked_at.is_(None))
        rows = session.scalars(query).all()
    table = Table(title=say("日历订阅", "Feed subscriptions"))
    for header in (
        say("编号", "id"),
        say("范围", "scope"),
        say("名称", "label"),
        say("学期", "term"),
        say("创建", "created"),
        say("创建人", "by"),
        say("撤销", "revoked"),
    ):
        table.add_column(header)
    for row in rows:
        table.add_row(
            str(row.id),
            row.scope,
            row.label,
            row.term_key,
            f"{row.created_at:%Y-%m-%d %H:%M}Z",
            row.created_by,
            f"{row.revoked_at:%Y-%m-%d %H:%M}Z" if row.revoked_at else "",
        )
    console.print(table)


@feeds.command("revoke")
@click.argument("subscription_id", type=int)
@pass_context
def revoke(context: Context, subscription_id: int) -> None:
    """撤销订阅：链接随即失效 / Revoke a subscription: its link stops working."""
    with context.transaction() as session:
        _own(context, session, subscription_id)
        revoke_feed(session, subscription_id, context.now(None))
    console.print(say(f"订阅 {subscription_id} 已撤销", f"subscription {subscription_id} revoked"))


@feeds.command("rotate")
@click.argument("subscription_id", type=int)
@click.option(
    "--base-url", default=DEFAULT_BASE_URL, show_default=True, help="服务器地址 / server URL"
)
@click.option("--no-qr", is_flag=True, help="不显示二维码 / no QR code")
@pass_context
def rotate(context: Context, subscription_id: int, base_url: str, no_qr: bool) -> None:
    """换发新链接，旧链接失效 / Replace a subscription's link; the old one stops working."""
    with context.transaction() as session:
        _own(context, session, subscription_id)
        issued = rotate_feed(session, subscription_id, context.actor, context.now(None))
    _show_issued(issued, base_url, not no_qr)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@pass_context
def serve(context: Context, host: str, port: int) -> None:
    """运行日历订阅服务器 / Serve the calendar feeds over HTTP."""
    context.require_current_database()
    server = FeedServer((host, port), context.engine, context.registry)
    console.print(
        say(f"日历订阅服务：{server.url}/feeds/<token>.ics", f"serving feeds at {server.url}"),
        markup=False,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command("export-ics")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_context
def export_ics(context: Context, directory: Path) -> None:
    """把每个订阅写成静态 .ics 文件 / Write each live feed as a static file <slug>.ics.

    Files of revoked subscriptions are removed. Serve the directory without listings.
    """
    directory.mkdir(parents=True, exist_ok=True)
    cache = FeedCache(context.registry)
    written = removed = 0
    with context.transaction() as session:
        bound = _coordinator(context, session)
        query = select(FeedSubscription).order_by(FeedSubscription.id)
        if bound is not None:
            query = query.where(FeedSubscription.school_id == bound)
        for row in session.scalars(query):
            target = directory / f"{row.slug}.ics"
            if row.revoked_at is not None:
                if target.exists():
                    target.unlink()
                    removed += 1
                continue
            body = cache.lookup(session, FeedKey.of(row)).body
            if not target.exists() or target.read_bytes() != body:
                tmp = target.with_suffix(".ics.tmp")
                tmp.write_bytes(body)
                tmp.replace(target)
            written += 1
    console.print(
        say(
            f"已写入 {written} 个日历文件，删除 {removed} 个已撤销的 → {directory}",
            f"{written} feeds written, {removed} revoked removed → {directory}",
        ),
        markup=False,
    )


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(feeds)
    cli.add_command(serve)
    cli.add_command(export_ics)
