"""What every command shares: settings, the plugin manager, the database, the clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import IO, Any
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from guanai.core import db
from guanai.core.access import Viewer, viewer_for
from guanai.core.calendar import TermCalendar
from guanai.core.config import Settings
from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.pm import ActivityRegistry, GuanaiPluginManager

console = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def say(zh: str, en: str) -> str:
    """A bilingual string in the current language."""
    return str(Label(zh, en))


class UserError(click.ClickException):
    """An error the user can act on, printed as one line in their language."""

    def show(self, file: IO[Any] | None = None) -> None:
        stderr.print(say("错误：", "error: ") + self.message, markup=False, soft_wrap=True)


@dataclass
class Context:
    """Built from the global options; the engine and registry are made on first use."""

    settings: Settings
    pm: GuanaiPluginManager
    actor: str
    _engine: Engine | None = field(default=None, repr=False)
    _reported: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        self.report_plugin_problems()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = db.make_engine(self.settings.database_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    @cached_property
    def registry(self) -> ActivityRegistry:
        registry = self.pm.activity_registry()
        self.report_plugin_problems()
        return registry

    def report_plugin_problems(self) -> None:
        """Print each plugin problem once, as it is met."""
        for problem in self.pm.problems[self._reported :]:
            stderr.print(
                say(
                    f"插件 {problem.plugin} 出错，已隔离：{problem.reason}",
                    f"plugin {problem.plugin} failed and was contained: {problem.reason}",
                ),
                style="yellow",
                markup=False,
            )
        self._reported = len(self.pm.problems)

    def calendar(self, name: str | None) -> TermCalendar:
        """A term calendar by shipped name or path, with days that plugins add."""
        calendar = self.pm.term_calendar(name or self.settings.term)
        self.report_plugin_problems()
        return calendar

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work on an up-to-date database: all of it is written, or none."""
        self.require_current_database()
        with db.transaction(self.engine) as session:
            yield session

    def require_current_database(self) -> None:
        try:
            current = db.is_current(self.engine)
        except OperationalError as error:
            raise self.unreachable(error) from None
        if not current:
            raise UserError(
                say(
                    "数据库尚未初始化或需要升级：请先运行 guanai init",
                    "the database is not initialised or needs an upgrade: run guanai init first",
                )
            )

    def unreachable(self, error: OperationalError) -> UserError:
        where = self.engine.url.render_as_string(hide_password=True)
        reason = str(error.orig).strip().splitlines()[0] if error.orig else ""
        return UserError(
            say(f"无法连接数据库 {where}：{reason}", f"cannot use database {where}: {reason}")
        )

    def viewer(self, session: Session) -> Viewer:
        """The acting user and their role (see guanai.core.access)."""
        return viewer_for(session, self.actor)

    def announce(self, hook: str, **kwargs: Any) -> None:
        """Tell plugins what happened (after commit), containing any that raises."""
        self.pm.announce(hook, **kwargs)
        self.report_plugin_problems()

    def now(self, text: str | None, timezone: str = "Asia/Shanghai") -> datetime:
        if not text:
            return datetime.now(ZoneInfo(timezone))
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise UserError(
                say(
                    f"--now 应为 ISO 时间（如 2026-09-15T08:00），而不是 {text!r}",
                    f"--now must be an ISO time like 2026-09-15T08:00, not {text!r}",
                )
            ) from None
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))


pass_context = click.make_pass_decorator(Context)

NOW_OPTION = click.option(
    "--now",
    "now_text",
    metavar="ISO-TIME",
    help="当作“现在”的时间（默认为当前时间）/ the time to act as now (default: the clock)",
)


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


__all__ = [
    "NOW_OPTION",
    "Context",
    "GuanaiError",
    "UserError",
    "console",
    "pass_context",
    "progress",
    "say",
]
