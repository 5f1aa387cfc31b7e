"""``guanai tui``: open the coordinator's dashboard."""

from __future__ import annotations

from datetime import datetime

import click

from guanai.cli.context import NOW_OPTION, pass_service
from guanai.service import Guanai


@click.command()
@click.option(
    "--school",
    "school_code",
    metavar="CODE",
    help="显示哪所学校（默认第一所）/ the school to show (default: the first)",
)
@NOW_OPTION
@pass_service
def tui(service: Guanai, school_code: str | None, now: datetime | None) -> None:
    """打开协调员仪表板 / Open the coordinator's dashboard.

    With --now the dashboard's clock stands still at that time (a demonstration, a rehearsal).
    """
    from guanai.tui import GuanaiApp  # Textual loads only when the dashboard opens

    service.school_code = school_code
    service.require("dashboard")  # refused in one line, before anything opens
    if now is not None:
        service.clock = lambda: now
    GuanaiApp(service).run()


COMMANDS = (tui,)
