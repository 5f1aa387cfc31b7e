"""Placeholder filled in by the records work."""

from __future__ import annotations

import click

COMMANDS: tuple[click.Command, ...] = ()
