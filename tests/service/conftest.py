"""The service's tests act in a small city: see :mod:`city`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from city import World, build_world
from sqlalchemy import Engine


@pytest.fixture
def world(engine: Engine, database_url: str) -> Iterator[World]:
    world = build_world(engine, database_url)
    yield world
    for service in world.services:
        service.close()
