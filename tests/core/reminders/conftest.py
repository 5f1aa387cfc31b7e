"""A planned demo school and a ticking helper, shared by the reminder tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from reminder_samples import SETTINGS, at
from sqlalchemy import Engine

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import load_calendar
from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.engine import TickReport, plan_term, tick
from guanai.core.pm import build_plugin_manager


@pytest.fixture(scope="module")
def registry() -> ActivityRegistry:
    return build_plugin_manager(load_entry_points=False).activity_registry()


@pytest.fixture
def planned(engine: Engine, registry: ActivityRegistry) -> Engine:
    """A demo school of 40 children with the 2026 autumn term planned."""
    with transaction(engine) as session:
        create_demo_school(session, children=40)
        plan_term(
            session,
            load_calendar("2026-autumn"),
            registry,
            actor="t",
            now=at(date(2026, 8, 25)),
            max_per_teacher_per_day=3,
        )
    return engine


@pytest.fixture
def run_tick(registry: ActivityRegistry) -> Callable[..., TickReport]:
    def run(engine: Engine, now: datetime, settings: Settings = SETTINGS) -> TickReport:
        with transaction(engine) as session:
            return tick(session, now, registry, settings)

    return run
