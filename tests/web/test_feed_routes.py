"""GET /feeds/<token>.ics through the whole application (Starlette's TestClient), on a real
SQLite file and PostgreSQL: revalidation, gzip, HEAD, the one 404, 405 and 429."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import icalendar
import pytest
from sqlalchemy import Engine, event
from starlette.testclient import TestClient

from guanai.core.calendar import load_calendar
from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.feeds.tokens import issue_feed, revoke_feed
from guanai.core.planner import plan_term
from guanai.core.pm import build_plugin_manager
from guanai.web.app import create_app
from guanai.web.context import WebContext
from guanai.web.feed_routes import accepts_gzip, not_modified
from guanai.web.guesses import GuessLimiter
from guanai.web.loop_reads import LoopReads
from guanai.web.responses import NOT_FOUND_BODY

TERM = "2026-autumn"
UNKNOWN = "A" * 43


@pytest.fixture
def pm():
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def feeds(engine: Engine, pm) -> dict[str, str]:
    """A planned demo school and two feeds of its first class: one live, one revoked."""
    with transaction(engine) as session:
        school_id = create_demo_school(session, children=30)
    with transaction(engine) as session:
        plan_term(
            session,
            load_calendar(TERM),
            pm.activity_registry(),
            actor="test",
            now=datetime(2026, 8, 20, tzinfo=UTC),
            max_per_teacher_per_day=6,
        )
    tokens = {}
    with transaction(engine) as session:
        for name in ("live", "revoked"):
            tokens[name] = issue_feed(
                session,
                scope="class",
                school_id=school_id,
                class_id=1,
                term_key=TERM,
                label="一年级1班",
                actor="test",
                now=datetime(2026, 8, 21, tzinfo=UTC),
            ).token
    with transaction(engine) as session:
        subscription_id = 2  # the revoked one, issued second
        revoke_feed(session, subscription_id, datetime(2026, 8, 22, tzinfo=UTC))
    return tokens


@pytest.fixture
def ctx(engine: Engine, pm) -> WebContext:
    return WebContext(Settings(database_url=engine.url.render_as_string(False)), pm, engine)


@pytest.fixture
def client(ctx: WebContext) -> Iterator[TestClient]:
    with TestClient(create_app(ctx)) as client:
        yield client


def path(token: str) -> str:
    return f"/feeds/{token}.ics"


def test_a_feed_is_served_with_its_validators(client, ctx, feeds) -> None:
    response = client.get(path(feeds["live"]), headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(r'"[0-9a-f]{64}"', response.headers["ETag"])
    assert response.headers["Last-Modified"] == "Thu, 20 Aug 2026 00:00:00 GMT"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert "Content-Encoding" not in response.headers
    assert icalendar.Calendar.from_ical(response.content).walk("VEVENT")

    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    renders = ctx.cache.renders
    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-Modified-Since": modified},
        {"If-None-Match": "*"},
    ):
        again = client.get(path(feeds["live"]), headers=headers | {"Accept-Encoding": "identity"})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["ETag"] == etag
    for headers in (
        {"If-None-Match": '"other"'},
        {"If-Modified-Since": "Wed, 19 Aug 2026 00:00:00 GMT"},
        {"If-None-Match": '"other"', "If-Modified-Since": modified},  # If-None-Match wins
    ):
        assert client.get(path(feeds["live"]), headers=headers).status_code == 200
    assert ctx.cache.renders == renders  # revalidation never renders again


def test_gzip_is_a_variant_with_its_own_etag(client, feeds) -> None:
    plain = client.get(path(feeds["live"]), headers={"Accept-Encoding": "identity"})
    response = client.get(path(feeds["live"]), headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["ETag"] != plain.headers["ETag"]
    # httpx decodes the body; the bytes on the wire are the compressed ones
    assert response.content == plain.content
    assert int(response.headers["Content-Length"]) < len(plain.content) / 3
    assert gzip.decompress(gzip.compress(plain.content)) == response.content
    gzip_etag = response.headers["ETag"]
    conditional = {"Accept-Encoding": "gzip", "If-None-Match": gzip_etag}
    assert client.get(path(feeds["live"]), headers=conditional).status_code == 304
    # the identity ETag does not validate the gzip variant, nor the other way round
    conditional["If-None-Match"] = plain.headers["ETag"]
    assert client.get(path(feeds["live"]), headers=conditional).status_code == 200
    identity = {"Accept-Encoding": "identity", "If-None-Match": gzip_etag}
    assert client.get(path(feeds["live"]), headers=identity).status_code == 200


@pytest.mark.parametrize(
    ("header", "gzipped"),
    [
        (None, False),
        ("gzip", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("*", True),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("deflate, br", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_with_its_qualities(header: str | None, gzipped: bool) -> None:
    assert accepts_gzip(header) is gzipped


def test_an_unparsable_if_modified_since_is_ignored() -> None:
    now = datetime(2026, 8, 20, tzinfo=UTC)
    assert not not_modified('"a"', now, None, "yesterday")
    assert not_modified('"a"', now, None, "Thu, 20 Aug 2026 00:00:00")  # no zone: GMT


def test_head_answers_the_headers_without_the_body(client, feeds) -> None:
    get = client.get(path(feeds["live"]), headers={"Accept-Encoding": "identity"})
    head = client.head(path(feeds["live"]), headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.content))


@pytest.mark.parametrize(
    "target",
    [
        "unknown",
        "revoked",
        "/",
        "/feeds/",
        "/feeds",
        "/feeds/short.ics",
        "/feeds/../feeds/x.ics",
        "/feeds/%2e%2e/etc/passwd",
        "//feeds/" + UNKNOWN + ".ics",
        "/feeds/" + UNKNOWN + ".ics/",
        "/feeds/" + UNKNOWN,
        "/feeds/" + "中" * 43 + ".ics",
        "/static/../app.py",
        "/static/nothing.css",
    ],
)
def test_everything_else_is_the_same_404(client, feeds, target: str) -> None:
    url = path(UNKNOWN) if target == "unknown" else target
    url = path(feeds["revoked"]) if target == "revoked" else url
    response = client.get(url)
    assert response.status_code == 404
    assert response.text == NOT_FOUND_BODY
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "ETag" not in response.headers


def test_other_methods_are_refused(client, feeds) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        response = client.request(method, path(feeds["live"]))
        assert response.status_code == 405
        assert sorted(response.headers["Allow"].split(", ")) == ["GET", "HEAD"]
        assert response.text.startswith("不支持该请求方法 / Method Not Allowed")


def test_a_guesser_is_refused_before_any_database_work(engine, pm, feeds) -> None:
    now = [0.0]
    ctx = WebContext(
        Settings(), pm, engine, guesses=GuessLimiter(burst=3, per_minute=6, clock=lambda: now[0])
    )
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with TestClient(create_app(ctx)) as client:
        assert [client.get(path(UNKNOWN)).status_code for _ in range(3)] == [404] * 3
        statements.clear()
        refused = client.get(path(feeds["live"]))
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "60"
        assert statements == []  # refused before the lookup, even with a good token
        now[0] += 10.0  # a minute refills per_minute: ten seconds refill one
        assert client.get(path(feeds["live"])).status_code == 200
        assert client.get(path(feeds["revoked"])).status_code == 404
        assert client.get(path(feeds["live"])).status_code == 429


def test_unknown_malformed_and_revoked_tokens_take_the_same_statements(
    engine, client, feeds, monkeypatch
) -> None:
    """Structurally the same work, so no timing tells them apart (benchmarks/feed_404.py
    measures it). Statements through SQLAlchemy and those run straight on the driver by the
    loop's own connection are both seen."""
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    driver_row = LoopReads.row

    def recorded(reads: LoopReads, sql: str, parameters: object) -> object:
        seen.append(sql)
        return driver_row(reads, sql, parameters)

    monkeypatch.setattr(LoopReads, "row", recorded)

    def statements(token: str) -> list[str]:
        seen.clear()
        assert client.get(path(token)).status_code == 404
        return list(seen)

    unknown = statements(UNKNOWN)
    assert unknown, "the lookup runs a query"
    assert statements(feeds["revoked"]) == unknown
    assert statements(feeds["revoked"][:-1] + "!") == unknown  # malformed
    assert statements("x") == unknown


def test_security_headers_and_hsts_only_over_https(ctx, feeds) -> None:
    app = create_app(ctx)
    with TestClient(app, base_url="http://testserver") as plain:
        response = plain.get(path(feeds["live"]))
        assert "Strict-Transport-Security" not in response.headers
    with TestClient(app, base_url="https://testserver") as secure:
        for url in (path(feeds["live"]), path(UNKNOWN), "/nowhere"):
            response = secure.get(url)
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
            assert response.headers["Referrer-Policy"] == "no-referrer"
            assert response.headers["X-Frame-Options"] == "DENY"
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
