"""``guanai tui``: open the coordinator's dashboard."""

from __future__ import annotations

import click

from guanai.cli.context import Context, pass_context


@click.command()
@pass_context
def tui(context: Context) -> None:
    """打开协调员仪表板 / Open the coordinator's dashboard."""
    from guanai.tui import GuanaiApp  # Textual loads only when the dashboard is opened

    GuanaiApp(context.pm).run()


COMMANDS = (tui,)
