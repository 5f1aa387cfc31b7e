"""A school set up with the command line as a real school would set one up, ``guanai serve``
running it as its own process, and the phone its teacher opens it on, for the browser tests.

The school lives in a directory of its own: a config file naming its SQLite file (or its
PostgreSQL database) and its ``[feeds] base_url``, the address the server listens at, so that
the feed's events link to the task pages the phone opens. Every command is given that config
file and none of the developer's ``GUANAI_*`` variables.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from serving import HOST, served

COORDINATOR = "关爱办"
TEACHER = "T014"  # a pairing teacher of the demo school: their talks are on their list
DEMO_NOW = "2026-09-15T08:00+08:00"  # a fortnight into the autumn term: the first talks are due
PHONE_WIDTH = 360
PHONE = {
    "viewport": {"width": PHONE_WIDTH, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "locale": "zh-CN",
}
"""A phone as Playwright's browser context takes it: 360 CSS px wide (720 device pixels, as
most phones teachers carry), touch, Chinese."""
LINK = re.compile(r"教师链接 (\d+) 已签发.*?(/t/[A-Za-z0-9_-]{43})", re.S)
FEED = re.compile(r"/feeds/[A-Za-z0-9_-]{43}\.ics")


def free_port() -> int:
    """A loopback port nothing listens on now: the base URL must name the port before the
    server binds it (a port taken in between makes ``served`` fail loudly, never hang)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("GUANAI_")}


@dataclass(frozen=True)
class IssuedLink:
    id: int
    path: str  # /t/<token>


@dataclass(frozen=True)
class PhoneSchool:
    config: Path
    database_url: str
    base_url: str
    link: IssuedLink  # the teacher's link
    feed: str  # the teacher's feed path, /feeds/<token>.ics

    def url(self, path: str) -> str:
        return self.base_url + path

    def guanai(self, *args: str) -> str:
        return guanai(self.config, *args)

    def issue_link(self, teacher: str) -> IssuedLink:
        return issue_link(self.config, teacher)


def guanai(config: Path, *args: str) -> str:
    """Run the command line as the coordinator; what it printed (stdout and stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "guanai", "--config", str(config), *args],
        capture_output=True,
        text=True,
        check=False,
        env=_environment(),
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout + done.stderr


def issue_link(config: Path, teacher: str) -> IssuedLink:
    """``guanai links issue --teacher CODE``: the link's id and path, as printed once."""
    found = LINK.search(guanai(config, "links", "issue", "--teacher", teacher, "--no-qr"))
    assert found, f"no link printed for {teacher}"
    return IssuedLink(int(found.group(1)), found.group(2))


def _config_text(database_url: str, base_url: str) -> str:
    return (
        f'database_url = "{database_url}"\n'
        'language = "zh"\n'
        f'actor = "{COORDINATOR}"\n'
        "\n[feeds]\n"
        f'base_url = "{base_url}"\n'
    )


@contextmanager
def phone_school(directory: Path, database_url: str) -> Iterator[PhoneSchool]:
    """The demo school in ``database_url`` with its coordinator's account, a link and a feed
    for :data:`TEACHER`, served on loopback until the block ends."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    config = directory / "guanai.toml"
    config.write_text(_config_text(database_url, base_url), encoding="utf-8")
    guanai(config, "init")
    guanai(config, "demo", "--children", "60", "--now", DEMO_NOW)
    guanai(config, "accounts", "add", COORDINATOR, "--role", "coordinator")
    link = issue_link(config, TEACHER)
    feed = FEED.search(guanai(config, "feeds", "issue", "--teacher", TEACHER, "--no-qr"))
    assert feed, "no feed printed"
    with ExitStack() as running:
        with pytest.MonkeyPatch.context() as environment:  # only while the server starts
            for name in [name for name in os.environ if name.startswith("GUANAI_")]:
                environment.delenv(name)
            environment.setenv("GUANAI_CONFIG", str(config))
            server = running.enter_context(served(database_url, "--port", str(port)))
        assert server.url == base_url
        yield PhoneSchool(config, database_url, base_url, link, feed.group(0))
