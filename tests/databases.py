"""The database backends the tests run on, and a PostgreSQL database of a test's own.

SQLite always; PostgreSQL when ``GUANAI_TEST_POSTGRES_URL`` names a server database, e.g.
``postgresql+psycopg://postgres@127.0.0.1:55432/guanai_test``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL_VARIABLE = "GUANAI_TEST_POSTGRES_URL"
POSTGRES_URL = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
if POSTGRES_URL and make_url(POSTGRES_URL).drivername == "postgresql":
    # A bare postgresql:// URL would pick psycopg2; the test extra installs psycopg (3).
    POSTGRES_URL = (
        make_url(POSTGRES_URL)
        .set(drivername="postgresql+psycopg")
        .render_as_string(hide_password=False)
    )

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(
            not POSTGRES_URL,
            reason=f"PostgreSQL not tested: set {POSTGRES_URL_VARIABLE} to a server database"
            " URL, e.g. postgresql+psycopg://postgres@127.0.0.1:55432/guanai_test",
        ),
    ),
]
"""The params of a fixture that runs its tests on each backend in turn."""


@contextmanager
def scratch_postgres(admin: Engine, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on ``admin``'s server, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
