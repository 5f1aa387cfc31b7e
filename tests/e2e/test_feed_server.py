"""``guanai serve`` as a user runs it, a real process on loopback: feeds that two parsers read,
304, gzip, re-plan, revoke, the refusals, what it never logs, and two workers."""

from __future__ import annotations

import gzip
import http.client
import re
import socket
import struct
from datetime import UTC, datetime

import icalendar
import pytest
import vobject
from serving import Served, raw, served
from sqlalchemy import Engine

from guanai.core.calendar import load_calendar, parse_calendar
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.feeds.tokens import issue_feed, revoke_feed
from guanai.core.planner import plan_term
from guanai.core.pm import build_plugin_manager

pytestmark = pytest.mark.slow

TERM = "2026-autumn"
UNKNOWN = "A" * 43
REGISTRY = build_plugin_manager(load_entry_points=False).activity_registry()


def _plan(engine: Engine, text_edit: tuple[str, str] | None, now: datetime) -> None:
    calendar = load_calendar(TERM)
    if text_edit is not None:
        calendar = parse_calendar(calendar.text.replace(*text_edit), calendar.source)
    with transaction(engine) as session:
        plan_term(session, calendar, REGISTRY, actor="test", now=now, max_per_teacher_per_day=6)


def _class_feed(engine: Engine, children: int = 60) -> tuple[int, str]:
    """A planned demo school and its first class's feed: (subscription id, token)."""
    with transaction(engine) as session:
        school_id = create_demo_school(session, children=children)
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
        return issued.subscription.id, issued.token


def _get(server: Served, path: str, method: str = "GET", **headers: str):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name.replace("_", "-"), value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _sequences(body: bytes) -> dict[str, tuple[int, str]]:
    calendar = icalendar.Calendar.from_ical(body)
    return {
        str(e["UID"]): (int(e["SEQUENCE"]), str(e.get("STATUS", "")))
        for e in calendar.walk("VEVENT")
    }


def test_subscribe_revalidate_compress_replan_revoke(engine: Engine, database_url: str) -> None:
    subscription_id, token = _class_feed(engine)
    path = f"/feeds/{token}.ics"
    with served(database_url) as server:
        status, headers, body = _get(server, path)
        assert status == 200
        assert headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert int(headers["Content-Length"]) == len(body)
        assert "server" not in {name.lower() for name in headers}
        events = icalendar.Calendar.from_ical(body).walk("VEVENT")
        parsed = vobject.readOne(body.decode("utf-8"))
        assert len(parsed.vevent_list) == len(events) > 0
        etag = headers["ETag"]
        assert _get(server, path, If_None_Match=etag)[0] == 304
        assert _get(server, path, If_Modified_Since=headers["Last-Modified"])[0] == 304
        head = _get(server, path, "HEAD")
        assert head[0] == 200 and head[2] == b"" and head[1]["ETag"] == etag

        status, zipped_headers, zipped = _get(server, path, Accept_Encoding="gzip")
        assert zipped_headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped) == body and len(zipped) < len(body) / 3
        assert (
            _get(server, path, Accept_Encoding="gzip", If_None_Match=zipped_headers["ETag"])[0]
            == 304
        )

        _plan(engine, ("on = 2026-09-30", "on = 2026-09-29"), datetime(2026, 9, 10, tzinfo=UTC))
        status, headers, replanned = _get(server, path, If_None_Match=etag)
        assert status == 200 and headers["ETag"] != etag
        before, after = _sequences(body), _sequences(replanned)
        changed = [uid for uid in before if after.get(uid) != before[uid]]
        assert changed and all(after[uid][0] > before[uid][0] for uid in changed)

        with transaction(engine) as session:
            revoke_feed(session, subscription_id, datetime(2026, 9, 11, tzinfo=UTC))
        gone, unknown = _get(server, path), _get(server, f"/feeds/{UNKNOWN}.ics")
        assert gone[0] == unknown[0] == 404 and gone[2] == unknown[2]
        assert _get(server, path, "POST")[0] == 405
        logged = server.stop()
    assert token not in logged and "/feeds/" not in logged
    assert "Traceback" not in logged


def test_guessers_are_refused_after_their_burst(engine: Engine, database_url: str) -> None:
    with served(database_url) as server:
        answers = [_get(server, f"/feeds/{UNKNOWN[:-2]}{n:02d}.ics")[0] for n in range(25)]
    assert answers[:20] == [404] * 20 and set(answers[20:]) == {429}


def test_no_http_09_and_no_echo_of_a_bad_request(engine: Engine, database_url: str) -> None:
    _, token = _class_feed(engine, children=20)
    with served(database_url) as server:
        old = raw(server.port, f"GET /feeds/{token}.ics\r\n\r\n".encode())
        assert old.startswith(b"HTTP/1.1 400 ") and b"BEGIN:VCALENDAR" not in old
        for request in (
            f"GET /feeds/{token}.ics HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n",
            f"GET /feeds/{token}\x01.ics HTTP/1.1\r\nHost: x\r\n\r\n",
            f"GET /feeds/{token}.ics HTTP/9.9\r\nHost: x\r\n\r\n",
        ):
            answer = raw(server.port, request.encode())
            assert answer.startswith(b"HTTP/1.1 400 "), answer
            assert token.encode() not in answer and b"/feeds/" not in answer
        logged = server.stop()
    assert token not in logged


def test_a_client_that_hangs_up_mid_answer_is_no_traceback(
    engine: Engine, database_url: str
) -> None:
    _, token = _class_feed(engine, children=300)
    request = f"GET /feeds/{token}.ics HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    with served(database_url) as server:
        for _ in range(5):
            connection = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            connection.sendall(request)
            assert connection.recv(64).startswith(b"HTTP/1.1 200")
            # close with RST, not FIN, while most of the feed is still unsent
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()
        assert _get(server, f"/feeds/{token}.ics")[0] == 200  # still serving
        logged = server.stop()
    assert "Traceback" not in logged and "ERROR" not in logged, logged


def test_two_workers_share_the_socket(engine: Engine, database_url: str) -> None:
    _, token = _class_feed(engine, children=20)
    with served(database_url, "--workers", "2") as server:
        server.wait_for_log("Application startup complete.", count=2)
        workers = set(re.findall(r"Started server process \[(\d+)\]", server.stderr()))
        assert len(workers) == 2
        answers = [_get(server, f"/feeds/{token}.ics")[0] for _ in range(20)]
        assert answers == [200] * 20
        logged = server.stop()
    assert token not in logged and "Traceback" not in logged


def test_proxy_headers_are_trusted_only_from_the_proxy(engine: Engine, database_url: str) -> None:
    forwarded = {"X_Forwarded_Proto": "https", "X_Forwarded_For": "203.0.113.9"}
    with served(database_url, "--forwarded-allow-ips", "127.0.0.1") as server:
        headers = _get(server, "/", **forwarded)[1]
        assert headers["strict-transport-security"] == "max-age=31536000"
    with served(database_url) as server:
        headers = _get(server, "/", **forwarded)[1]
        assert "strict-transport-security" not in headers
