"""``guanai tui``: open the coordinator's dashboard."""

from __future__ import annotations

import click

from guanai.cli.context import Context, pass_context


@click.command()
@pass_context
def tui(context: Context) -> None:
    """打开协调员仪表板 / Open the coordinator's dashboard."""
    from guanai.tui import Dashboard, GuanaiApp  # Textual loads only when the dashboard opens

    context.require_current_database()
    GuanaiApp(Dashboard(context.settings, context.pm, context.engine, context.actor)).run()


COMMANDS = (tui,)
