"""Calendar feeds: render time, and requests per second against the running server.

On a fresh SQLite file database (a temp dir) the script creates the demo school (300
children by default), plans the shipped ``2026-autumn`` calendar with the built-in plugins and
issues two subscriptions: the busiest teacher's feed and the school feed. It then measures:

* render time: the version query, loading the feed's tasks and rendering the iCalendar bytes
  (``feed_content`` + ``render_feed``) for each feed: the first run with the per-event cache
  cleared (every VEVENT rendered by icalendar: a cold start, or a feed whose events all
  changed), then the median and best of ``--renders - 1`` more runs (events cached: what a
  re-render after a small change costs);
* the real server (:class:`guanai.core.feeds.server.FeedServer` on 127.0.0.1, port 0, in a
  thread), hit by ``--clients`` client threads over loopback with keep-alive connections,
  ``--requests`` requests in all per case:
  - cached 200s: a plain GET of the teacher feed, served from the cache (token lookup and
    version query per request, no rendering);
  - conditional 304s: the same GET with ``If-None-Match`` of the current ETag.

The run is bounded (a fixed number of requests) and stops by itself; it prints figures and
asserts nothing. Server and clients share one Python process (and its GIL), so the rates are
a lower bound of what a separate server process would do.

Usage: ``python benchmarks/feeds.py [--children 300] [--renders 5] [--requests 2000]
[--clients 4]``
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from guanai.core.calendar import load_calendar
from guanai.core.db import make_engine, transaction, upgrade
from guanai.core.demo import create_demo_school
from guanai.core.feeds.render import _event_bytes, render_feed
from guanai.core.feeds.scope import FeedKey, feed_content, feed_version
from guanai.core.feeds.server import FeedServer
from guanai.core.feeds.tokens import issue_feed
from guanai.core.models import Task
from guanai.core.planner import plan_term
from guanai.core.pm import build_plugin_manager

TERM = "2026-autumn"
NOW = datetime(2026, 8, 20, tzinfo=UTC)


def _hammer(address: tuple[str, int], path: str, count: int, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection(*address, timeout=30)
    statuses = 0
    for _ in range(count):
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        statuses += response.status
    connection.close()
    return statuses


def _rate(
    address: tuple[str, int], path: str, requests: int, clients: int, headers: dict[str, str]
) -> tuple[float, int]:
    per_client = max(1, requests // clients)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(_hammer(address, path, per_client, headers)))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = per_client * clients
    return total / elapsed, sum(results) // total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=300)
    parser.add_argument("--renders", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)

    registry = build_plugin_manager(load_entry_points=False).activity_registry()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'feeds.db'}")
        upgrade(engine)
        with transaction(engine) as session:
            school_id = create_demo_school(session, children=args.children)
            plan_term(
                session,
                load_calendar(TERM),
                registry,
                actor="bench",
                now=NOW,
                max_per_teacher_per_day=6,
            )
            teacher_id, tasks = session.execute(
                select(Task.assignee_id, func.count())
                .group_by(Task.assignee_id)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
            token = issue_feed(
                session,
                scope="teacher",
                school_id=school_id,
                teacher_id=teacher_id,
                term_key=TERM,
                label="bench",
                actor="bench",
                now=NOW,
            ).token
        keys = {
            f"teacher feed ({tasks} tasks)": FeedKey(
                "teacher", school_id, teacher_id, None, TERM, False
            ),
            "school feed": FeedKey("school", school_id, None, None, TERM, False),
        }
        print(f"demo school: {args.children} children, term {TERM}")
        for name, key in keys.items():
            times, size = [], 0
            _event_bytes.cache_clear()  # the first run renders every event (a cold start)
            for _ in range(args.renders):
                with transaction(engine) as session:
                    started = time.perf_counter()
                    body = render_feed(
                        feed_content(session, key, registry, feed_version(session, key))
                    )
                    times.append(time.perf_counter() - started)
                    size = len(body)
            warm = times[1:] or times
            print(
                f"render {name}: first (cold) {times[0] * 1000:.1f} ms; again with events "
                f"cached: median {statistics.median(warm) * 1000:.1f} ms, best "
                f"{min(warm) * 1000:.1f} ms; {size / 1024:.0f} KiB"
            )

        server = FeedServer(("127.0.0.1", 0), engine, registry)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            address = (str(server.server_address[0]), int(server.server_address[1]))
            path = f"/feeds/{token}.ics"
            connection = http.client.HTTPConnection(*address, timeout=30)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            etag = response.getheader("ETag") or ""
            connection.close()
            rate, status = _rate(address, path, args.requests, args.clients, {})
            print(f"cached 200: {rate:,.0f} requests/s (status {status}, {args.clients} clients)")
            rate, status = _rate(
                address, path, args.requests, args.clients, {"If-None-Match": etag}
            )
            print(f"conditional 304: {rate:,.0f} requests/s (status {status})")
            print(f"renders by the server: {server.cache.renders} (one per feed and change)")
        finally:
            server.shutdown()
            server.server_close()
            engine.dispose()


if __name__ == "__main__":
    main()
