"""The 404 of an unknown, a malformed and a revoked feed token: median time of each.

Scale: a SQLite file with a 30-child demo school, 100 live and 100 revoked subscriptions;
1,500 requests of each kind, interleaved (so a drift of the machine hits all three alike),
through the whole application in-process (Starlette's TestClient). Prints the medians and
the largest difference; asserts nothing. ``python benchmarks/feed_404.py [--requests N]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from starlette.testclient import TestClient

from guanai.core.config import Settings
from guanai.core.db import make_engine, transaction, upgrade
from guanai.core.demo import create_demo_school
from guanai.core.feeds.tokens import issue_feed, revoke_feed
from guanai.core.pm import build_plugin_manager
from guanai.web.app import create_app
from guanai.web.context import WebContext
from guanai.web.guesses import GuessLimiter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    args = parser.parse_args()
    now = datetime(2026, 9, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'guanai.db'}"
        engine = make_engine(url)
        upgrade(engine)
        revoked: list[str] = []
        with transaction(engine) as session:
            school = create_demo_school(session, children=30)
            for n in range(200):
                issued = issue_feed(
                    session,
                    scope="school",
                    school_id=school,
                    term_key="2026-autumn",
                    label=f"feed {n}",
                    actor="bench",
                    now=now,
                )
                if n % 2:
                    revoke_feed(session, issued.subscription.id, now)
                    revoked.append(issued.token)
        limiter = GuessLimiter(burst=10**9, per_minute=10**9)  # measure lookups, not refusals
        ctx = WebContext(
            Settings(database_url=url), build_plugin_manager(), engine, guesses=limiter
        )
        kinds = {
            "unknown": lambda n: f"{n:043d}",
            "malformed": lambda n: f"{n}-too-short",
            "revoked": lambda n: revoked[n % len(revoked)],
        }
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        with TestClient(create_app(ctx)) as client:
            for n in range(args.requests):
                for kind, token in kinds.items():
                    started = time.perf_counter()
                    status = client.get(f"/feeds/{token(n)}.ics").status_code
                    times[kind].append(time.perf_counter() - started)
                    assert status == 404, (kind, status)
        medians = {kind: statistics.median(values) * 1e6 for kind, values in times.items()}
        for kind, median in medians.items():
            print(f"{kind:>9}: median {median:8.1f} µs over {args.requests} requests")
        print(
            f"largest difference of medians: {max(medians.values()) - min(medians.values()):.1f} µs"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
