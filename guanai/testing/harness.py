"""The ``guanai`` fixture's object: plan, tick, complete and read feeds through the service.

A :class:`Harness` is a thin adapter over a :class:`guanai.Guanai` service acting as the
account ``test`` (with no accounts in the test database: the coordinator), on the fixture's
engine and frozen clock. Each call is one service action, with the service's transaction,
access rule and event hook announced after the commit, exactly as a command runs it. A plugin
problem met on the way (an event hook that raised, a holiday hook that failed) fails the test
with the plugin's name and reason instead of being only logged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from icalendar import Calendar
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar
from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.engine import PlanSummary, TickReport
from guanai.core.i18n import Label
from guanai.core.pm import GuanaiPluginManager
from guanai.service import Guanai
from guanai.service.task_reads import TaskView
from guanai.testing.clock import FrozenClock, aware

ACTOR = "test"
T = TypeVar("T")


def fail_on_problems(pm: GuanaiPluginManager, since: int, doing: Label) -> None:
    """Fail the running test if plugins reported problems after the first ``since``."""
    problems = pm.problems[since:]
    if problems:
        lines = "\n".join(f"  - {p.plugin}: {p.reason}" for p in problems)
        pytest.fail(f"{doing.zh}时插件出错 / plugin problems while {doing.en}:\n{lines}", False)


def load_term(pm: GuanaiPluginManager, name_or_path: str | Path) -> TermCalendar:
    """A term calendar with the days plugins add, as ``guanai plan`` loads it."""
    since = len(pm.problems)
    calendar = pm.term_calendar(name_or_path)
    fail_on_problems(pm, since, Label(f"加载学期日历 {name_or_path}", f"loading {name_or_path}"))
    return calendar


@dataclass(frozen=True)
class DemoSchool:
    """The demo school of the ``guanai_school`` fixture; teachers by their codes (T001...)."""

    id: int
    code: str
    name: str
    coordinator_code: str
    head_teacher_codes: tuple[str, ...]
    teacher_codes: tuple[str, ...]


class Harness:
    """A planned-or-not term at a demo school, driven through the service as the commands
    drive it. ``service`` is the :class:`guanai.Guanai` it calls, for anything else."""

    def __init__(
        self,
        pm: GuanaiPluginManager,
        engine: Engine,
        clock: FrozenClock,
        calendar: TermCalendar,
        school: DemoSchool,
    ) -> None:
        self.pm = pm
        self.engine = engine
        self.clock = clock
        self.calendar = calendar
        self.school = school
        self.settings = Settings(
            database_url=engine.url.render_as_string(hide_password=False), term=calendar.key
        )
        self.service = Guanai(
            self.settings,
            pm,
            ACTOR,
            engine=engine,
            clock=lambda: clock.now,
            school_code=school.code,
        )

    @property
    def registry(self) -> ActivityRegistry:
        return self.service.registry

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction, to arrange or inspect test data directly: committed if
        the block succeeds, else rolled back. Not a user action: nothing is checked or told."""
        with transaction(self.engine) as session:
            yield session

    def plan(self, calendar: TermCalendar | str | Path | None = None) -> PlanSummary:
        """Plan (or re-plan) a term at the clock's time, as ``guanai plan``.

        ``calendar``: a TermCalendar, a shipped name or a file; default the fixture's term.
        """
        if calendar is None:
            calendar = self.calendar
        elif not isinstance(calendar, TermCalendar):
            calendar = load_term(self.pm, calendar)
        summary = self._checked("term_planned", lambda: self.service.plan(calendar))
        self.calendar = calendar  # tasks and feeds now follow this term
        return summary

    def tick(self, at: datetime | str | None = None) -> TickReport:
        """Move tasks to the state their dates call for at ``at`` (default: the clock's now)."""
        now = self.clock.now if at is None else aware(at, self.calendar.timezone)
        return self._checked("tick_finished", lambda: self.service.tick(now))

    def complete(self, task_id: int, **fields: Any) -> None:
        """Record a task's step with ``fields`` as its record; raises ``guanai.RecordError``."""
        self._checked("task_completed", lambda: self.service.complete(task_id, fields))

    def tasks(
        self,
        activity_type: str | None = None,
        step: str | None = None,
        state: str | None = None,
        teacher_code: str | None = None,
    ) -> list[TaskView]:
        """Every task of every term at the school, optionally only of a type, a step, a state
        or a teacher, by date (:meth:`guanai.Guanai.tasks`)."""
        return self.service.tasks(activity_type, step, state, teacher_code)

    def feed(self, teacher_code: str) -> Calendar:
        """The teacher's iCal feed of the term, parsed from the bytes ``guanai serve`` sends;
        raises ``guanai.GuanaiError`` for a teacher code the school does not have."""
        body = self.service.teacher_feed(teacher_code, term_key=self.calendar.key)
        return Calendar.from_ical(body)

    def _checked(self, hook: str, action: Callable[[], T]) -> T:
        """Run a service action; fail the test if a plugin had a problem on the way."""
        since = len(self.pm.problems)
        result = action()
        fail_on_problems(self.pm, since, Label(f"调用 {hook}", f"calling {hook}"))
        return result
