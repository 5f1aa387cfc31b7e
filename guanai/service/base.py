"""The one object every front end acts through: settings, plugins, the database, the clock and
the acting account.

Every user action is one method of :class:`guanai.service.Guanai`. Each opens its own
transaction (:meth:`ServiceBase.acting`), asks the one access rule
(:func:`guanai.core.access.require`) whether the acting account may take it, calls the core,
commits, and only then tells the plugins (:meth:`ServiceBase.announce`), in the thread that ran
the action. A front end (the CLI, the dashboard, the daemon, ``guanai.testing``) only turns
its input into a call and the result into output; it never opens a transaction itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from guanai.core import db
from guanai.core.access import Viewer, require, require_school, viewer_for
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar
from guanai.core.config import Settings
from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.invariants import WriteRefusedError, explained
from guanai.core.pm import GuanaiPluginManager
from guanai.core.schools import SCHOOL_TIMEZONE, school_by_code
from guanai.core.term_types import registry_in


class DatabaseError(GuanaiError):
    """The database cannot be reached (``unreachable``), or its schema is not current."""

    def __init__(self, message: Label, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


def wall_clock() -> datetime:
    return datetime.now(SCHOOL_TIMEZONE)


class ServiceBase:
    """What every action shares. ``clock`` is injectable so tests and rehearsals run at a
    chosen time; ``school_code`` narrows an account that is not bound to one school (an
    unbound coordinator, the bureau) to that school, as ``guanai tui --school`` does."""

    def __init__(
        self,
        settings: Settings,
        pm: GuanaiPluginManager,
        actor: str,
        *,
        engine: Engine | None = None,
        clock: Callable[[], datetime] = wall_clock,
        school_code: str | None = None,
    ) -> None:
        self.settings = settings
        self.pm = pm
        self.actor = actor
        self.clock = clock
        self.school_code = school_code
        self._engine = engine
        self._owns_engine = engine is None

    # -- what the actions stand on ------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = db.make_engine(self.settings.database_url)
        return self._engine

    def close(self) -> None:
        """Release the database connections this service opened (not an engine it was given)."""
        if self._owns_engine and self._engine is not None:
            self._engine.dispose()

    def types(self, session: Session) -> ActivityRegistry:
        """The activity types of the plugins and of the planned terms' calendars, as
        ``session`` reads the terms (:func:`guanai.core.term_types.registry_in`)."""
        return registry_in(session, self.pm.activity_registry())

    @property
    def registry(self) -> ActivityRegistry:
        """:meth:`types`, read in a short session of its own; only the plugins' while the
        database cannot be read (not set up yet, or unreachable: the action says which)."""
        if self._engine is None and not db.may_exist(self.settings.database_url):
            return self.pm.activity_registry()  # and no empty database file made to say so
        try:
            with db.session_factory(self.engine)() as session:
                return self.types(session)
        except SQLAlchemyError:
            return self.pm.activity_registry()

    def now(self) -> datetime:
        return self.clock()

    def calendar(self, name: str | Path | None = None) -> TermCalendar:
        """A term calendar by shipped name or path (default: the configured term), with the
        days plugins add."""
        return self.pm.term_calendar(name or self.settings.term, self.settings.limits)

    def announce(self, hook: str, **kwargs: Any) -> None:
        """Tell plugins what happened, through pluggy; the plugin manager contains any that
        raises. Called by the actions after their commit, never inside a transaction."""
        getattr(self.pm.hook, hook)(**kwargs)

    # -- the database --------------------------------------------------------------------------

    def require_current_database(self) -> None:
        try:
            current = db.confirmed_current(self.engine)
        except OperationalError as error:
            raise self.unreachable(error) from None
        if not current:
            raise DatabaseError(
                Label(
                    "数据库尚未初始化或需要升级：请先运行 guanai init",
                    "the database is not initialised or needs an upgrade: run guanai init first",
                )
            )

    def unreachable(self, error: OperationalError) -> DatabaseError:
        where = self.engine.url.render_as_string(hide_password=True)
        reason = str(error.orig).strip().splitlines()[0] if error.orig else ""
        return DatabaseError(
            Label(f"无法连接数据库 {where}：{reason}", f"cannot use database {where}: {reason}"),
            unreachable=True,
        )

    def upgrade_database(self) -> str:
        """Create or upgrade the schema; returns where the database is (no password)."""
        try:
            db.upgrade(self.engine)
        except OperationalError as error:
            raise self.unreachable(error) from None
        return self.engine.url.render_as_string(hide_password=True)

    # -- the acting account --------------------------------------------------------------------

    def viewer_in(self, session: Session) -> Viewer:
        """The acting account, narrowed to ``school_code`` when it is not bound to a school;
        an account bound to another school is refused that one."""
        viewer = viewer_for(session, self.actor)
        if self.school_code is None:
            return viewer
        school = school_by_code(session, self.school_code).id
        require_school(viewer, school)
        return replace(viewer, school_id=school)

    def viewer(self) -> Viewer:
        """Who is acting (raises AccessError for a name that has no account)."""
        with self.reading() as (_, viewer):
            return viewer

    def require(self, action: str) -> Viewer:
        """Refuse now, before anything opens, what the acting account may not do."""
        with self.reading(action) as (_, viewer):
            return viewer

    @contextmanager
    def acting(self, action: str, *, snapshot: bool = False) -> Iterator[tuple[Session, Viewer]]:
        """One user action's unit of work, for an account allowed ``action``: all of it is
        written, or none. ``snapshot``: every statement reads one snapshot of the database (a
        long export paging through it), see :func:`guanai.core.db.transaction`. A write the
        database refuses by one of its rules raises :class:`WriteRefusedError`, in words."""
        self.require_current_database()
        try:
            with db.transaction(self.engine, snapshot=snapshot) as session:
                viewer = self.viewer_in(session)
                require(viewer, action)
                yield session, viewer
        except IntegrityError as error:
            rule = explained(error)
            if rule is None:
                raise
            raise WriteRefusedError(rule) from None

    @contextmanager
    def reading(self, action: str | None = None) -> Iterator[tuple[Session, Viewer]]:
        """A short read-only session (rolled back at the end), for an account allowed
        ``action``; ``None``: any account."""
        self.require_current_database()
        with db.session_factory(self.engine)() as session:
            try:
                viewer = self.viewer_in(session)
                if action is not None:
                    require(viewer, action)
                yield session, viewer
            finally:
                session.rollback()
