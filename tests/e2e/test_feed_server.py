"""The feed server, running for real on loopback: subscribe, 304, re-plan, revoke."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import icalendar
import pytest
from sqlalchemy import Engine

from guanai.core.calendar import load_calendar, parse_calendar
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.feeds.server import FeedServer
from guanai.core.feeds.tokens import issue_feed, revoke_feed
from guanai.core.planner import plan_term
from guanai.core.pm import build_plugin_manager

TERM = "2026-autumn"
REGISTRY = build_plugin_manager(load_entry_points=False).activity_registry()


def _plan(engine: Engine, text_edit: tuple[str, str] | None, now: datetime) -> None:
    calendar = load_calendar(TERM)
    if text_edit is not None:
        calendar = parse_calendar(calendar.text.replace(*text_edit), calendar.source)
    with transaction(engine) as session:
        plan_term(session, calendar, REGISTRY, actor="test", now=now, max_per_teacher_per_day=6)


@pytest.fixture
def server(engine: Engine) -> Iterator[FeedServer]:
    server = FeedServer(("127.0.0.1", 0), engine, REGISTRY)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _get(
    server: FeedServer, path: str, method: str = "GET", **headers: str
) -> tuple[int, dict[str, str], bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=30)
    try:
        connection.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name.replace("_", "-"), value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _sequences(body: bytes) -> dict[str, tuple[int, str]]:
    calendar = icalendar.Calendar.from_ical(body)
    return {
        str(e["UID"]): (int(e["SEQUENCE"]), str(e.get("STATUS", "")))
        for e in calendar.walk("VEVENT")
    }


def test_subscribe_revalidate_replan_revoke(engine: Engine, server: FeedServer) -> None:
    with transaction(engine) as session:
        school_id = create_demo_school(session, children=60)
    _plan(engine, None, datetime(2026, 8, 20, tzinfo=UTC))
    with transaction(engine) as session:
        issued = issue_feed(
            session,
            scope="class",
            school_id=school_id,
            class_id=1,
            term_key=TERM,
            label="一年级1班",
            actor="test",
            now=datetime(2026, 8, 21, tzinfo=UTC),
        )
    path = f"/feeds/{issued.token}.ics"

    status, headers, body = _get(server, path)
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(r'"[0-9a-f]{64}"', headers["ETag"])
    assert headers["Last-Modified"] == "Thu, 20 Aug 2026 00:00:00 GMT"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in headers["X-Robots-Tag"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert int(headers["Content-Length"]) == len(body)
    etag = headers["ETag"]

    renders = server.cache.renders
    assert _get(server, path, If_None_Match=etag)[0] == 304
    assert _get(server, path, If_Modified_Since=headers["Last-Modified"])[0] == 304
    assert _get(server, path, If_Modified_Since="Wed, 19 Aug 2026 00:00:00 GMT")[0] == 200
    assert _get(server, path, If_None_Match='"other"')[0] == 200
    head = _get(server, path, "HEAD")
    assert head[0] == 200 and head[2] == b"" and head[1]["ETag"] == etag
    assert server.cache.renders == renders  # served from cache, never rendered again

    _plan(engine, ("on = 2026-09-30", "on = 2026-09-29"), datetime(2026, 9, 10, tzinfo=UTC))
    status, headers, replanned = _get(server, path, If_None_Match=etag)
    assert status == 200 and headers["ETag"] != etag
    before, after = _sequences(body), _sequences(replanned)
    changed = [uid for uid in before if after.get(uid) != before[uid]]
    assert changed
    assert all(after[uid][0] > before[uid][0] for uid in changed)
    assert any(after[uid][1] == "CANCELLED" for uid in changed)

    with transaction(engine) as session:
        revoke_feed(session, issued.subscription.id, datetime(2026, 9, 11, tzinfo=UTC))
    gone = _get(server, path)
    unknown = _get(server, "/feeds/" + "A" * 43 + ".ics")
    assert gone[0] == unknown[0] == 404 and gone[2] == unknown[2]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/feeds/",
        "/feeds",
        "/feeds/../feeds/x.ics",
        "/feeds/%2e%2e/etc/passwd",
        "//feeds/" + "A" * 43 + ".ics",
        "/feeds/" + "A" * 43 + ".ics/",
        "/feeds/" + "A" * 43,
        "/feeds/%41" + "A" * 42 + ".ics",
    ],
)
def test_anything_else_is_the_same_404(engine: Engine, server: FeedServer, path: str) -> None:
    status, headers, body = _get(server, path)
    assert status == 404 and body == b"Not Found\n"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_other_methods_are_refused(engine: Engine, server: FeedServer) -> None:
    for method in ("POST", "PUT", "DELETE", "OPTIONS"):
        status, headers, _ = _get(server, "/feeds/x.ics", method)
        assert status == 405 and headers["Allow"] == "GET, HEAD"


def test_guanai_serve_runs_the_server(engine: Engine, database_url: str) -> None:
    """``guanai serve --port 0`` as a user runs it: a process that prints its address."""
    process = subprocess.Popen(
        [sys.executable, "-m", "guanai", "--db", database_url, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert found, line + (process.stderr.read() if process.poll() is not None else "")
        connection = http.client.HTTPConnection("127.0.0.1", int(found.group(1)), timeout=30)
        connection.request("GET", "/feeds/" + "A" * 43 + ".ics")
        assert connection.getresponse().status == 404
        connection.close()
    finally:
        process.terminate()
        process.wait(10)
