"""A school set up with the command line as a real one would be, ``guanai serve`` running
as its own process, and Debian's Chromium driven by Playwright on a phone's viewport.

Chromium is the one in Debian's ``chromium`` package (``.ci/run`` installs it); Playwright
never downloads a browser. Where it is missing the tests skip, except under CI (``CI`` set),
where a missing browser is an error: a browser test that silently skips proves nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from serving import Served, served

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
PHONE = {"width": 360, "height": 740}
TEACHER = "T014"  # a paired teacher of the demo school: their talks are on their list
LINK_PATH = re.compile(r"/t/[A-Za-z0-9_-]{43}")
FEED_PATH = re.compile(r"/feeds/[A-Za-z0-9_-]{43}\.ics")
LINK_ID = re.compile(r"教师链接 (\d+) 已签发")
SETTINGS = {"GUANAI_LANG": "zh", "GUANAI_CONFIG": "/nonexistent/guanai-browser-tests.toml"}
"""Never the developer's config file: only what the command line is given."""


def guanai(database_url: str, *args: str) -> str:
    """Run the command line as the school's coordinator; its output (stdout and stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "guanai", "--db", database_url, "--as", "关爱办", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **SETTINGS},
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout + done.stderr


@dataclass
class PhoneSchool:
    database_url: str
    server: Served
    link: str  # the teacher's link path, /t/<token>
    link_id: int
    feed: str  # the teacher's feed path

    def url(self, path: str) -> str:
        return self.server.url + path


@pytest.fixture(scope="module")
def phone_school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhoneSchool]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('phone') / 'guanai.db'}"
    guanai(database_url, "init")
    guanai(database_url, "demo", "--children", "60", "--now", "2026-09-15T08:00+08:00")
    guanai(database_url, "accounts", "add", "关爱办", "--role", "coordinator")
    issued = guanai(database_url, "links", "issue", "--teacher", TEACHER, "--no-qr")
    feed = guanai(database_url, "feeds", "issue", "--teacher", TEACHER, "--no-qr")
    link, feed_path = LINK_PATH.search(issued), FEED_PATH.search(feed)
    assert link and feed_path, (issued, feed)
    link_id = LINK_ID.search(issued)
    assert link_id, issued
    with served(database_url, env={**SETTINGS, "GUANAI_ACTOR": "关爱办"}) as server:
        yield PhoneSchool(
            database_url, server, link.group(0), int(link_id.group(1)), feed_path.group(0)
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
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
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
