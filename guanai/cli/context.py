"""What every command shares on the terminal side: the consoles (which print data safely),
one-line errors, ``--now``, row ids, progress bars, plugin problems printed once. ``ctx.obj``
is the :class:`guanai.service.Guanai` service itself; a command gets it with
:data:`pass_service`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import IO, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.pm import GuanaiPluginManager
from guanai.core.schools import SCHOOL_TIMEZONE
from guanai.core.text import terminal_safe
from guanai.service import Guanai


class TerminalConsole(Console):
    """A console that prints data safely: a string is never read as markup (``[bold]``) or an
    emoji code (``:smile:``), and a character that could act on the terminal (an ESC in a
    child's name, stored before names were checked) is shown escaped, as ``\\u001b``.

    Every string printed, a table's cells and titles too, passes :meth:`render_str`.
    """

    def __init__(self, *, stderr: bool = False) -> None:
        super().__init__(stderr=stderr, highlight=False, markup=False, emoji=False)

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(terminal_safe(text), **options)


console = TerminalConsole()
stderr = TerminalConsole(stderr=True)

pass_service = click.make_pass_decorator(Guanai)
"""Hands a command the service the ``guanai`` group built from the global options."""


def say(zh: str, en: str) -> str:
    """A bilingual string in the current language."""
    return str(Label(zh, en))


class UserError(click.ClickException):
    """An error the user can act on, printed as one line in their language."""

    def show(self, file: IO[Any] | None = None) -> None:
        stderr.print(say("错误：", "error: ") + self.message, markup=False, soft_wrap=True)


_REPORTED = "guanai_problems_reported"
"""The attribute on the plugin manager counting the problems already printed."""


def report_plugin_problems(pm: GuanaiPluginManager) -> None:
    """Print each plugin problem once, as it is met (on stderr, in yellow)."""
    reported: int = getattr(pm, _REPORTED, 0)
    for problem in pm.problems[reported:]:
        stderr.print(
            say(
                f"插件 {problem.plugin} 出错，已隔离：{problem.reason}",
                f"plugin {problem.plugin} failed and was contained: {problem.reason}",
            ),
            style="yellow",
            markup=False,
        )
    setattr(pm, _REPORTED, len(pm.problems))


ROW_ID = click.IntRange(1, 2**31 - 1)
"""The click type of a row's id (a task, a reminder, a subscription): PostgreSQL's integer,
so an id no row can have is a usage error before any query, on either database."""


NOW_OPTION = click.option(
    "--now",
    "now",
    metavar="ISO-TIME",
    callback=lambda _ctx, _param, text: parse_now(text),
    help="当作“现在”的时间（默认为当前时间）/ the time to act as now (default: the clock)",
)
"""``--now ISO-TIME``: the command gets a timezone-aware datetime (the schools' zone when
none is given), or None for the service's clock."""


NOW_YEARS = (1970, 2999)
"""The years ``--now`` may name: far from the ends of Python's dates, so that moving it to
another time zone or a day later never overflows (it did, as a traceback, for year 1 or 9999)."""


def parse_now(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            say(
                f"--now 应为 ISO 时间（如 2026-09-15T08:00），而不是 {text!r}",
                f"--now must be an ISO time like 2026-09-15T08:00, not {text!r}",
            )
        ) from None
    if not NOW_YEARS[0] <= value.year <= NOW_YEARS[1]:
        first, last = NOW_YEARS
        raise UserError(
            say(
                f"--now 应在 {first} 至 {last} 年之间，而不是 {value.year} 年",
                f"--now must be in the years {first} to {last}, not {value.year}",
            )
        )
    return value if value.tzinfo else value.replace(tzinfo=SCHOOL_TIMEZONE)


def progress(label: Label) -> Progress:
    """A progress bar on stderr, shown only in a terminal."""
    return Progress(
        TextColumn(str(label)),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    )


def counting(bar: Progress) -> Callable[[int | None], Callable[[int], None]]:
    """A ``started(total)`` callback for the service: one bar task, advanced by ``n`` rows."""

    def started(total: int | None) -> Callable[[int], None]:
        task = bar.add_task("", total=total)
        return lambda n: bar.advance(task, n)

    return started


__all__ = [
    "NOW_OPTION",
    "ROW_ID",
    "GuanaiError",
    "TerminalConsole",
    "UserError",
    "console",
    "counting",
    "parse_now",
    "pass_service",
    "progress",
    "report_plugin_problems",
    "say",
]
