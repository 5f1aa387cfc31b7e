"""Debian's Chromium driven by Playwright on a phone's viewport, against a school served by a
real ``guanai serve`` (:mod:`phone_harness`), on SQLite and, when ``GUANAI_TEST_POSTGRES_URL``
is set, on PostgreSQL.

Chromium is the one in Debian's ``chromium`` package (``.ci/run`` installs it); Playwright
never downloads a browser. Where it is missing the tests skip, except under CI (``CI`` set),
where a missing browser is an error: a browser test that silently skips proves nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import BACKENDS, scratch_postgres
from phone_harness import PHONE, PhoneSchool, phone_school
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module", params=BACKENDS)
def school(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PhoneSchool]:
    """The demo school served by ``guanai serve``, its teacher's link and feed issued."""
    directory = tmp_path_factory.mktemp("phone-school")
    if request.param == "sqlite":
        with phone_school(directory, f"sqlite:///{directory / 'guanai.db'}") as served:
            yield served
        return
    admin: Engine = request.getfixturevalue("_postgres_admin")
    with scratch_postgres(admin, "guanai_b") as url, phone_school(directory, url) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module's tests.

    Playwright's sync API runs an event loop in this thread while it is open, so it must be
    closed before the next module: pytest-asyncio refuses to start its own loop inside a running
    one ("Runner.run() cannot be called from a running event loop").
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh phone: a new browser context (its own empty profile), 360 px wide."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()
