"""Fixtures for testing guanai plugins: a pytest plugin, as pytest ships ``pytester``.

Installed with guanai and registered through the ``pytest11`` entry point, so a plugin's tests
just name the fixtures (``-p no:guanai`` turns them off):

- ``guanai``: a :class:`Harness` on a demo school: ``plan()``, ``tick()``, ``complete()``,
  ``tasks()``, ``feed()``, ``session()``;
- ``guanai_pm``: the plugin manager with the built-in plugins, every installed one (found by
  its entry point, as in production; ``GUANAI_LOAD_PLUGINS`` and ``GUANAI_DISABLE_PLUGINS``
  are ignored, so the shell does not change a test) and ``guanai_plugins``; any plugin
  problem fails the test with the plugin's name and reason;
- ``guanai_clock`` (a :class:`FrozenClock` starting at ``guanai_now``), ``guanai_database``
  (an upgraded SQLite file in ``tmp_path``), ``guanai_engine``, ``guanai_calendar`` (the term
  ``guanai_term`` with the holidays plugins add) and ``guanai_school`` (a demo school of
  ``guanai_children`` children);
- ``guanai_channel``: a reminder channel's test rig (:class:`ChannelRig`: its settings, an
  outbox of queued reminders, delivery rounds; :mod:`guanai.testing.channels`);
- ``guanai_dashboard``: the real dashboard app on a service, with :func:`settle` to wait until
  it has finished its work (:mod:`guanai.testing.dashboard`).

The ``guanai`` harness and the rigs act through the application service (:class:`guanai.Guanai`)
as the account ``test``: with no accounts in the test database, the coordinator.

Override ``guanai_plugins``, ``guanai_now``, ``guanai_term``, ``guanai_children`` or
``guanai_database`` in a test module or conftest to change what the others build. The engine,
database and feed modules are imported inside the fixtures, so test runs that use none of them
pay nothing for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from guanai.testing.channels import ChannelRig, guanai_channel
from guanai.testing.clock import FrozenClock
from guanai.testing.dashboard import guanai_dashboard, settle

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from guanai.core.calendar import TermCalendar
    from guanai.core.pm import GuanaiPluginManager
    from guanai.service.task_reads import TaskView
    from guanai.testing.harness import DemoSchool, Harness

__all__ = [
    "ChannelRig",
    "DemoSchool",
    "FrozenClock",
    "Harness",
    "TaskView",
    "guanai_channel",
    "guanai_dashboard",
    "settle",
]

_LAZY = {"DemoSchool", "Harness", "TaskView"}


def __getattr__(name: str) -> Any:
    """``Harness`` and its dataclasses load the engine, so they are imported on first use."""
    if name in _LAZY:
        from guanai.testing import harness

        return getattr(harness, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@pytest.fixture
def guanai_plugins() -> list[object]:
    """Plugins (modules, classes or objects with hook implementations) to register besides
    the installed ones: override it to test a plugin that is not installed."""
    return []


@pytest.fixture
def guanai_pm(guanai_plugins: list[object]) -> GuanaiPluginManager:
    """The plugin manager as ``guanai`` builds it, plus ``guanai_plugins``, with its activity
    types and channels collected: a plugin problem met on the way fails the test."""
    from guanai.core.i18n import Label
    from guanai.core.pm import build_plugin_manager
    from guanai.testing.harness import fail_on_problems

    with pytest.MonkeyPatch.context() as shell:  # every installed plugin, whatever the shell says
        shell.delenv("GUANAI_LOAD_PLUGINS", raising=False)
        shell.delenv("GUANAI_DISABLE_PLUGINS", raising=False)
        pm = build_plugin_manager()
    for plugin in guanai_plugins:
        pm.load(plugin, getattr(plugin, "__name__", None) or type(plugin).__name__)
    pm.activity_registry()
    pm.channel_types()
    fail_on_problems(pm, 0, Label("加载插件", "loading plugins"))
    return pm


@pytest.fixture
def guanai_now() -> str:
    """Where ``guanai_clock`` starts: an ISO time, in Asia/Shanghai unless it says otherwise."""
    return "2026-09-01T08:00"


@pytest.fixture
def guanai_clock(guanai_now: str) -> FrozenClock:
    return FrozenClock(guanai_now)


@pytest.fixture
def guanai_database(tmp_path: Path) -> str:
    """The URL of an empty database upgraded to guanai's newest schema."""
    from guanai.core.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'guanai-test.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def guanai_engine(guanai_database: str) -> Iterator[Engine]:
    from guanai.core.db import make_engine

    engine = make_engine(guanai_database)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def guanai_term() -> str:
    """The term of ``guanai_calendar``: a shipped calendar name or a calendar file's path."""
    return "2026-autumn"


@pytest.fixture
def guanai_calendar(guanai_pm: GuanaiPluginManager, guanai_term: str) -> TermCalendar:
    from guanai.testing.harness import load_term

    return load_term(guanai_pm, guanai_term)


@pytest.fixture
def guanai_children() -> int:
    return 40


@pytest.fixture
def guanai_school(guanai_engine: Engine, guanai_children: int) -> DemoSchool:
    """A demo school (invented names, paired children) in the database, not yet planned."""
    from sqlalchemy import select

    from guanai.core.db import transaction
    from guanai.core.demo import create_demo_school
    from guanai.core.models import School, SchoolClass, Teacher
    from guanai.testing.harness import DemoSchool

    with transaction(guanai_engine) as session:
        school = session.get_one(School, create_demo_school(session, children=guanai_children))
        teachers = session.execute(
            select(Teacher.id, Teacher.code, Teacher.is_coordinator)
            .where(Teacher.school_id == school.id)
            .order_by(Teacher.code)
        ).all()
        heads = set(
            session.scalars(
                select(SchoolClass.head_teacher_id).where(SchoolClass.school_id == school.id)
            )
        )
        return DemoSchool(
            school.id,
            school.code,
            school.name,
            next(code for _, code, coordinator in teachers if coordinator),
            tuple(code for id_, code, _ in teachers if id_ in heads),
            tuple(code for _, code, _ in teachers),
        )


@pytest.fixture
def guanai(
    guanai_pm: GuanaiPluginManager,
    guanai_engine: Engine,
    guanai_clock: FrozenClock,
    guanai_calendar: TermCalendar,
    guanai_school: DemoSchool,
) -> Harness:
    from guanai.testing.harness import Harness

    return Harness(guanai_pm, guanai_engine, guanai_clock, guanai_calendar, guanai_school)
