"""Fixtures shared by every test.

Each database test runs once per backend: on SQLite (a file in ``tmp_path``) always, and on
PostgreSQL when ``GUANAI_TEST_POSTGRES_URL`` names a server database, e.g.
``postgresql+psycopg://postgres@127.0.0.1:55432/guanai_test`` (``.ci/run`` starts one).

PostgreSQL isolation: every test gets a database of its own, created from that URL's server
(``CREATE DATABASE guanai_t_<random>`` over an autocommit connection to the named database) and
dropped with ``WITH (FORCE)`` afterwards, so leftover connections never leak into the next test.
Creating and dropping one costs about 50-130 ms (measured on PostgreSQL 15, depending on
fsync and load); the schema upgrade that follows (about 100-250 ms) costs more.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import BACKENDS, POSTGRES_URL, POSTGRES_URL_VARIABLE, scratch_postgres
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from guanai.core import i18n
from guanai.core.db import make_engine, session_factory, upgrade

# Every variable guanai reads its settings from; tests start with none of them set.
GUANAI_VARIABLES = (
    "GUANAI_DATABASE_URL",
    "GUANAI_LANG",
    "GUANAI_ACTOR",
    "GUANAI_LOAD_PLUGINS",
    "GUANAI_DISABLE_PLUGINS",
    "GUANAI_FEEDS_BASE_URL",
)


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if POSTGRES_URL:
        return [f"guanai database backends: sqlite, postgresql ({_shown(POSTGRES_URL)})"]
    return [f"guanai database backends: sqlite only ({POSTGRES_URL_VARIABLE} is not set)"]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never read the developer's config or environment; restore the language afterwards.

    The XDG directories are redirected too, so that a default database URL points into
    ``tmp_path`` rather than at the developer's real data directory.
    """
    monkeypatch.setenv("GUANAI_CONFIG", str(tmp_path / "no-such-config.toml"))
    for variable in GUANAI_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for kind in ("CONFIG", "DATA", "STATE", "CACHE"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / "xdg" / kind.lower()))
    yield
    i18n.set_language("zh")


@pytest.fixture(scope="session")
def _postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on the server database named by GUANAI_TEST_POSTGRES_URL."""
    engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        engine.dispose()
        pytest.fail(
            f"{POSTGRES_URL_VARIABLE}={_shown(POSTGRES_URL)} is set but the server cannot be"
            f" reached: {error}",
            pytrace=False,
        )
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of this test's own, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/guanai.db"
        return
    with scratch_postgres(request.getfixturevalue("_postgres_admin"), "guanai_t") as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's database, upgraded to the newest schema."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the upgraded database; the test may commit through it."""
    with session_factory(engine)() as session:
        yield session
