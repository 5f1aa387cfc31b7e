"""``guanai serve``: run the web server (the feeds and the teachers' pages) as its own process.

The command checks what a worker would otherwise fail on (the account may run it, the
database is current, the addresses are valid), binds the socket, prints one line with the URL
it listens on, then hands over to :func:`guanai.web.server.serve`. Each worker reads the
settings from the environment, so the global ``--db``, ``--config`` and ``--lang`` are passed
on there.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import click

from guanai.cli.context import UserError, console, pass_service, say, stderr
from guanai.service import Guanai
from guanai.web.server import listening_socket, serve, url_of


def _trusted(text: str | None) -> list[str]:
    """The proxies' addresses or networks (``127.0.0.1,10.0.0.0/8``); ``*`` trusts any."""
    addresses = [item.strip() for item in (text or "").split(",") if item.strip()]
    for address in addresses:
        if address == "*":
            continue
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise UserError(
                say(
                    f"--forwarded-allow-ips：{address!r} 不是 IP 地址或网段",
                    f"--forwarded-allow-ips: {address!r} is not an IP address or network",
                )
            ) from None
    return addresses


def _pass_settings_on(service: Guanai, config_path: Path | None) -> None:
    """What the global options resolved to, where each worker's factory reads it."""
    os.environ["GUANAI_DATABASE_URL"] = service.settings.database_url
    os.environ["GUANAI_LANG"] = service.settings.language
    if config_path is not None:
        os.environ["GUANAI_CONFIG"] = str(config_path)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 / address")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="端口 / port"
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="工作进程数 / worker processes",
)
@click.option(
    "--forwarded-allow-ips",
    metavar="ADDRESSES",
    help="信任其 X-Forwarded-For/Proto 的反向代理地址，逗号分隔 / "
    "reverse proxies whose X-Forwarded-For/Proto are trusted, comma-separated",
)
@pass_service
@click.pass_context
def serve_command(
    ctx: click.Context,
    service: Guanai,
    host: str,
    port: int,
    workers: int,
    forwarded_allow_ips: str | None,
) -> None:
    """运行网页服务：日历订阅与教师手机页面 / Serve the calendar feeds and the teachers' pages."""
    trusted = _trusted(forwarded_allow_ips)
    service.require("manage_feeds")
    service.require_current_database()
    _pass_settings_on(service, ctx.find_root().params.get("config_path"))
    service.close()
    try:
        sock = listening_socket(host, port)
    except OSError as error:
        raise UserError(
            say(
                f"无法监听 {host}:{port}：{error.strerror}",
                f"cannot listen on {host}:{port}: {error.strerror}",
            )
        ) from None
    url = url_of(sock)
    console.print(
        say(
            f"网页服务已在 {url} 监听（{workers} 个进程）",
            f"listening on {url} ({workers} workers)",
        ),
        markup=False,
        soft_wrap=True,
    )
    if service.feed_base_url is None:
        stderr.print(
            say(
                "提示：在配置 [feeds] base_url 中写明教师手机访问本服务的地址，链接和二维码才能使用。",
                "hint: set [feeds] base_url to where teachers' phones reach this server, so "
                "links and QR codes work.",
            ),
            style="yellow",
            markup=False,
            soft_wrap=True,
        )
    sys.stdout.flush()
    with sock:
        serve(sock, workers=workers, forwarded_allow_ips=trusted)


COMMANDS = (serve_command,)
