"""``guanai tui``: open the coordinator's dashboard."""

from __future__ import annotations

import click

from guanai.cli.context import NOW_OPTION, Context, pass_context


@click.command()
@NOW_OPTION
@pass_context
def tui(context: Context, now_text: str | None) -> None:
    """打开协调员仪表板 / Open the coordinator's dashboard.

    With --now the dashboard's clock stands still at that time (a demonstration, a rehearsal).
    """
    from guanai.tui import Dashboard, GuanaiApp  # Textual loads only when the dashboard opens

    context.require_current_database()
    dashboard = Dashboard(context.settings, context.pm, context.engine, context.actor)
    if now_text:
        frozen = context.now(now_text)
        dashboard.clock = lambda: frozen
    GuanaiApp(dashboard).run()


COMMANDS = (tui,)
