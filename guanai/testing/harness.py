"""The ``guanai`` fixture's object: plan, tick, complete and read feeds as the commands do.

Each call is one transaction, like one command, and then announces its event hook
(``term_planned``, ``tick_finished``, ``task_completed``) after the commit, as the command
line does. A plugin problem met on the way (an event hook that raised, a holiday hook that
failed) fails the test with the plugin's name and reason instead of being only logged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, aliased

from guanai.core.calendar import TermCalendar
from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.engine import PlanSummary, TickReport, complete, plan_term, tick
from guanai.core.feeds.render import render_feed
from guanai.core.feeds.scope import FeedKey, feed_content, feed_version
from guanai.core.i18n import Label
from guanai.core.models import Activity, Child, SchoolClass, Task, Teacher
from guanai.core.pm import ActivityRegistry, GuanaiPluginManager
from guanai.testing.clock import FrozenClock, aware

ACTOR = "test"


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


@dataclass(frozen=True)
class TaskView:
    """One task as a test reads it: plain values, safe to keep after the session closes."""

    id: int
    activity_type: str
    activity_key: str
    step: str
    subject: str
    child_name: str | None
    class_name: str | None
    assignee_code: str | None
    scheduled_on: date
    due_on: date
    state: str


class Harness:
    """A planned-or-not term at a demo school, driven the way the commands drive it."""

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
        self.settings = Settings(database_url=engine.url.render_as_string(hide_password=False))

    @property
    def registry(self) -> ActivityRegistry:
        return self.pm.activity_registry()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed if the block succeeds, else rolled back."""
        with transaction(self.engine) as session:
            yield session

    def plan(self, calendar: TermCalendar | str | Path | None = None) -> PlanSummary:
        """Plan (or re-plan) a term for every school at the clock's time, as ``guanai plan``.

        ``calendar``: a TermCalendar, a shipped name or a file; default the fixture's term.
        """
        if calendar is None:
            calendar = self.calendar
        elif not isinstance(calendar, TermCalendar):
            calendar = load_term(self.pm, calendar)
        with self.session() as session:
            summary = plan_term(
                session,
                calendar,
                self.registry,
                actor=ACTOR,
                now=self.clock.now,
                max_per_teacher_per_day=self.settings.max_tasks_per_teacher_per_day,
            )
        self.calendar = calendar  # tasks and feeds now follow this term
        self._announce("term_planned", summary=summary)
        return summary

    def tick(self, at: datetime | str | None = None) -> TickReport:
        """Move tasks to the state their dates call for at ``at`` (default: the clock's now)."""
        now = self.clock.now if at is None else aware(at, self.calendar.timezone)
        with self.session() as session:
            report = tick(session, now, self.registry, self.settings)
        self._announce("tick_finished", report=report)
        return report

    def complete(self, task_id: int, **fields: Any) -> None:
        """Record a task's step with ``fields`` as its record; raises ``guanai.RecordError``."""
        with self.session() as session:
            done = complete(
                session, self.registry, task_id, fields, actor=ACTOR, now=self.clock.now
            )
        self._announce(
            "task_completed",
            task_id=done.task_id,
            activity_type=done.activity_type,
            step=done.step,
            actor=ACTOR,
        )

    def tasks(
        self, activity_type: str | None = None, step: str | None = None, state: str | None = None
    ) -> list[TaskView]:
        """Every task of every term, optionally only of a type, a step or a state, by date."""
        assignee = aliased(Teacher)
        query = (
            select(
                Task.id,
                Activity.type,
                Activity.key,
                Task.step,
                Task.subject,
                Child.name,
                SchoolClass.name,
                assignee.code,
                Task.scheduled_on,
                Task.due_on,
                Task.state,
            )
            .join(Activity, Activity.id == Task.activity_id)
            .outerjoin(Child, Child.id == Task.child_id)
            .outerjoin(SchoolClass, SchoolClass.id == Task.class_id)
            .outerjoin(assignee, assignee.id == Task.assignee_id)
            .order_by(Task.scheduled_on, Task.id)
        )
        if activity_type is not None:
            query = query.where(Activity.type == activity_type)
        if step is not None:
            query = query.where(Task.step == step)
        if state is not None:
            query = query.where(Task.state == state)
        with self.session() as session:
            return [TaskView(*row) for row in session.execute(query)]

    def feed(self, teacher_code: str) -> Calendar:
        """The teacher's iCal feed of the term, parsed from the bytes ``guanai serve`` sends."""
        with self.session() as session:
            teacher_id = session.scalars(
                select(Teacher.id).where(
                    Teacher.school_id == self.school.id, Teacher.code == teacher_code
                )
            ).one_or_none()
            if teacher_id is None:
                raise LookupError(f"no teacher {teacher_code!r} at school {self.school.code}")
            key = FeedKey("teacher", self.school.id, teacher_id, None, self.calendar.key, False)
            content = feed_content(session, key, self.registry, feed_version(session, key))
        return Calendar.from_ical(render_feed(content))

    def _announce(self, hook: str, **kwargs: Any) -> None:
        since = len(self.pm.problems)
        self.pm.announce(hook, **kwargs)
        fail_on_problems(self.pm, since, Label(f"调用 {hook}", f"calling {hook}"))
