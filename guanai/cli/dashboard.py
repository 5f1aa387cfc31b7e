"""``guanai tui``: open the coordinator's dashboard."""

from __future__ import annotations

import click

from guanai.cli import lookup
from guanai.cli.context import NOW_OPTION, Context, pass_context


@click.command()
@click.option(
    "--school",
    "school_code",
    metavar="CODE",
    help="显示哪所学校（默认第一所）/ the school to show (default: the first)",
)
@NOW_OPTION
@pass_context
def tui(context: Context, school_code: str | None, now_text: str | None) -> None:
    """打开协调员仪表板 / Open the coordinator's dashboard.

    With --now the dashboard's clock stands still at that time (a demonstration, a rehearsal).
    """
    from guanai.tui import Dashboard, GuanaiApp  # Textual loads only when the dashboard opens

    if school_code is not None:
        with context.transaction() as session:
            lookup.school_id(session, school_code)  # a clear error for an unknown code
    context.require_current_database()
    dashboard = Dashboard(
        context.settings, context.pm, context.engine, context.actor, school_code=school_code
    )
    if now_text:
        frozen = context.now(now_text)
        dashboard.clock = lambda: frozen
    GuanaiApp(dashboard).run()


COMMANDS = (tui,)
