"""Calendar feeds and the teacher's page under load: ``guanai serve`` beside nginx and Radicale.

Everything goes through the command line, so the figures are those of whatever ``guanai``
is installed. In a temp dir the script writes a config file pointing at a fresh SQLite file,
then runs ``guanai init``, ``guanai demo --children N`` (the shipped ``2026-autumn`` term,
planned before it starts), adds a coordinator account, issues the busiest teacher's feed and
the school feed (``guanai feeds issue``) and a personal link for the same teacher
(``guanai links issue``). It then runs four servers, one at a time, each as its own process
on a free loopback port (a server still busy with the queued requests of its last run, as
Radicale is long after wrk has gone, would take the CPUs from the next server's figures; each
run waits for its server to be idle, restarting one still busy after 20 s):

* ``guanai serve --workers W``, waited for by polling its port and then its feed URL;
* nginx (``/usr/sbin/nginx``: a master of its own in a temp prefix, ``daemon off``,
  ``worker_processes W``, ``access_log off``, ``sendfile on``, ``etag on``) serving the files
  ``guanai export-ics`` wrote;
* a bare ASGI application (``benchmarks/bare_asgi.py``: Starlette on uvicorn with the same
  workers and HTTP parser as ``guanai serve``, answering the exported files from memory, 304
  on a matching ETag, no token and no database), the ceiling of guanai's own stack;
* Radicale 3 (``pip install 'guanai[bench]'``; its own server, ``[auth] type = none`` and
  ``[rights] type = authenticated``, which without authentication lets everyone read) with one
  calendar collection per feed, holding the exported feed's events as a CalDAV client would
  store them (one item per UID, with the feed's VTIMEZONE); a GET of the collection URL
  answers the whole calendar.

Each is loaded with wrk over loopback (``wrk -t2 -c<connections> -d<seconds>s --latency``),
four cases per server: the teacher feed and the school feed, each as a plain GET (a cached
200) and as a conditional GET (a Lua script sending ``If-None-Match`` with the server's own
current ETag: a 304 where the server honours it; Radicale ignores it and answers 200). Then
the teacher's page: the 50 busiest teachers each sign in with ``GET /t/<token>`` (their own
link, issued with ``guanai links issue``), keeping the ``guanai_session`` cookie; then
``GET /me`` as 50 teachers at once, each connection a teacher who waits 0-2 s before each
page (wrk's Lua ``delay``), for its p99 latency, after 5 s of the same load not counted (each
worker's first pages compile its templates and statements); and, as the server's capacity, ``GET /me``
at 50 connections with no pause.

It prints requests/s per case for guanai, nginx, Radicale and the bare ASGI ceiling, the
ratios and the goals (guanai at least Radicale's rate and at least 0.3x nginx's in every feed
case; the teacher page's p99 under 50 ms with 50 teachers), each marked met or not. It
asserts nothing, exits 0, stops by itself (bounded durations) and stops every process
it started, on an error or Ctrl-C too.

Usage: ``python benchmarks/feeds.py [--children 3000] [--seconds 5] [--connections 50]
[--workers CPUS]``
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from icalendar import Calendar
from sqlalchemy import func, select

from guanai.core.db import make_engine
from guanai.core.models import Task, Teacher

TERM = "2026-autumn"
PLANNED_AT = "2026-08-20T08:00:00+08:00"
"""Plan the term before it starts: every duty of the term is open and in the feeds."""
HOST = "127.0.0.1"
NGINX = "/usr/sbin/nginx"
PAGE_CONNECTIONS = 50
TEACHER_SECONDS = 15
SETTLE_WITHIN = 20.0
"""Seconds a server may take to go idle after a run before it is restarted for the next."""
READY_WITHIN = 120.0
"""Seconds a server may take to answer its first request (Radicale loads every item then)."""
FEED_GOAL_NGINX_SHARE = 0.3
PAGE_P99_GOAL_MS = 50.0
SERVERS = ("guanai", "nginx", "Radicale", "bare ASGI")
HERE = Path(__file__).resolve().parent


class BenchError(Exception):
    """A step that failed: the benchmark says which and stops."""


# --- processes ------------------------------------------------------------------------------


class Processes:
    """Every process the benchmark starts, each in a session of its own so that its workers
    go with it; :meth:`stop_all` ends them (SIGTERM to the group, SIGKILL if it lingers)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(
        self, name: str, command: Sequence[str], env: dict[str, str]
    ) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        log.close()
        self.started.append(process)
        return process

    def log_tail(self, name: str, lines: int = 8) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        """End ``process`` and its group (SIGTERM, SIGKILL if it lingers)."""
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        self.started.remove(process)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            _signal_group(process, signal.SIGTERM)
        for process in reversed(self.started):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        self.started.clear()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """CPU time used so far by every live process of ``process``'s session (its workers too)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == process.pid:  # field 6, the session id
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def settled(process: subprocess.Popen[bytes]) -> bool:
    """Wait until ``process`` is idle (under 5% of a CPU over a quarter of a second), for at
    most :data:`SETTLE_WITHIN` seconds: a server still answering the last run's queued
    requests (Radicale, long after wrk has gone) would take the CPUs from the next one."""
    deadline = time.monotonic() + SETTLE_WITHIN
    before, since = cpu_seconds(process), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)  # the window over which idleness is measured
        now, at = cpu_seconds(process), time.monotonic()
        if now - before < 0.05 * (at - since):
            return True
        before, since = now, at
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_until_answering(
    processes: Processes, name: str, process: subprocess.Popen[bytes], port: int, path: str
) -> None:
    """Wait until ``path`` answers 200: first the port accepting, then a whole answer (a
    server may listen before its workers have loaded). Fails when the process exits first."""
    deadline = time.monotonic() + READY_WITHIN
    while True:
        if process.poll() is not None:
            raise BenchError(f"{name} exited ({process.returncode}):\n{processes.log_tail(name)}")
        try:
            socket.create_connection((HOST, port), timeout=1.0).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise BenchError(f"{name} did not listen within {READY_WITHIN:.0f} s") from None
            time.sleep(0.05)  # poll interval while the port is not yet open
    try:
        status, _, _ = get(port, path, timeout=max(1.0, deadline - time.monotonic()))
    except OSError as error:
        raise BenchError(f"{name} did not answer: {error}\n{processes.log_tail(name)}") from None
    if status != 200:
        raise BenchError(f"{name} answered {status} to its first request")


def get(
    port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 30.0
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# --- the school, its feeds and its files -----------------------------------------------------


@dataclass(frozen=True)
class Feed:
    name: str
    token: str
    slug: str
    body: bytes = b""

    @property
    def events(self) -> int:
        return self.body.count(b"BEGIN:VEVENT")


@dataclass(frozen=True)
class School:
    env: dict[str, str]
    feeds: tuple[Feed, ...]
    link_tokens: tuple[str, ...]  # the busiest teacher's first, then the next busiest ones'
    export_dir: Path


class Cli:
    """``guanai`` run as a command, with the benchmark's config file."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.guanai = shutil.which("guanai", path=str(Path(sys.executable).parent)) or "guanai"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [self.guanai, "--lang", "en", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise BenchError(f"guanai {' '.join(args[:2])} failed:\n{done.stderr.strip()}")
        return done


def busiest_teachers(database_url: str, count: int) -> list[str]:
    """The codes of the ``count`` teachers with the most tasks, the busiest first."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return [
                str(code)
                for code in connection.execute(
                    select(Teacher.code)
                    .join(Task, Task.assignee_id == Teacher.id)
                    .group_by(Teacher.code)
                    .order_by(func.count().desc(), Teacher.code)
                    .limit(count)
                ).scalars()
            ]
    finally:
        engine.dispose()


def _issued_feed(name: str, output: str) -> Feed:
    token = re.search(r"/feeds/([A-Za-z0-9_-]+)\.ics", output)
    slug = re.search(r"export-ics\)?\s*[:：]\s*([A-Za-z0-9_-]+)\.ics", output)
    if token is None or slug is None:
        raise BenchError(f"feeds issue printed no link and file name for the {name}")
    return Feed(name, token.group(1), slug.group(1))


def teacher_link(cli: Cli, teacher: str) -> str:
    """A new personal link's token for ``teacher`` (``guanai links issue``)."""
    found = re.search(
        r"/t/([A-Za-z0-9_-]+)", cli.run("links", "issue", "--teacher", teacher, "--no-qr").stdout
    )
    if found is None:
        raise BenchError("links issue printed no link")
    return found.group(1)


def build_school(folder: Path, children: int) -> School:
    database_url = f"sqlite:///{folder / 'guanai.db'}"
    config = folder / "config.toml"
    config.write_text(
        f'database_url = "{database_url}"\nactor = "bench"\nterm = "{TERM}"\n'
        "max_tasks_per_teacher_per_day = 6\n",
        encoding="utf-8",
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GUANAI_") or key == "GUANAI_TEST_POSTGRES_URL"
    }
    env["GUANAI_CONFIG"] = str(config)
    cli = Cli(env)
    cli.run("init")
    cli.run("demo", "--children", str(children), "--now", PLANNED_AT)
    cli.run("accounts", "add", "bench", "--role", "coordinator")
    teachers = busiest_teachers(database_url, PAGE_CONNECTIONS)
    teacher = teachers[0]
    feeds = (
        _issued_feed(
            "teacher feed",
            cli.run("feeds", "issue", "--teacher", teacher, "--no-qr").stdout,
        ),
        _issued_feed("school feed", cli.run("feeds", "issue", "--all-school", "--no-qr").stdout),
    )
    export_dir = folder / "export"
    cli.run("export-ics", str(export_dir))
    feeds = tuple(
        Feed(f.name, f.token, f.slug, (export_dir / f"{f.slug}.ics").read_bytes()) for f in feeds
    )
    with ThreadPoolExecutor(max_workers=4) as pool:
        link_tokens = tuple(pool.map(lambda code: teacher_link(cli, code), teachers))
    return School(env, feeds, link_tokens, export_dir)


# --- the servers -----------------------------------------------------------------------------


def start_guanai(
    processes: Processes, school: School, workers: int, port: int
) -> subprocess.Popen[bytes]:
    cli = Cli(school.env)
    command = [cli.guanai, "serve", "--host", HOST, "--port", str(port)]
    if "--workers" in cli.run("serve", "--help").stdout:
        command += ["--workers", str(workers)]
    return processes.start("guanai", command, school.env)


def start_nginx(
    processes: Processes, folder: Path, school: School, workers: int, port: int
) -> subprocess.Popen[bytes]:
    prefix = folder / "nginx"
    (prefix / "temp").mkdir(parents=True, exist_ok=True)
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(
        f"  {kind}_temp_path {prefix / 'temp' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes {workers};\ndaemon off;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        "  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  etag on;\n"
        "  types { text/calendar ics; }\n  charset utf-8;\n  charset_types text/calendar;\n"
        f"{temp_paths}"
        f"  server {{\n    listen {HOST}:{port};\n    root {school.export_dir};\n"
        "    autoindex off;\n"
        "    add_header Cache-Control 'private, max-age=300';\n"
        "    add_header Referrer-Policy no-referrer;\n"
        "    add_header X-Robots-Tag 'noindex, nofollow';\n"
        "    add_header X-Content-Type-Options nosniff;\n"
        "  }\n}\n",
        encoding="utf-8",
    )
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    command += ["-e", str(prefix / "error.log")]
    return processes.start("nginx", command, school.env)


def start_bare_asgi(
    processes: Processes, school: School, workers: int, port: int
) -> subprocess.Popen[bytes]:
    """benchmarks/bare_asgi.py: the stack's own ceiling, on the exported files."""
    command = [sys.executable, "-m", "uvicorn", "bare_asgi:app", "--app-dir", str(HERE)]
    command += ["--host", HOST, "--port", str(port), "--workers", str(workers)]
    command += ["--http", "httptools", "--no-access-log", "--log-level", "warning"]
    command += ["--backlog", "2048"]
    return processes.start(
        "bare ASGI", command, {**school.env, "BARE_ASGI_DIR": str(school.export_dir)}
    )


def radicale_items(body: bytes) -> Iterator[bytes]:
    """The feed as a CalDAV client stores it: one calendar per UID, each with the feed's
    calendar properties and time zones and that UID's components."""
    feed = Calendar.from_ical(body)
    zones = [c for c in feed.subcomponents if c.name == "VTIMEZONE"]
    by_uid: dict[str, list[object]] = {}
    for component in feed.subcomponents:
        if component.name != "VTIMEZONE":
            by_uid.setdefault(str(component["UID"]), []).append(component)
    for components in by_uid.values():
        item = Calendar()
        for key in ("PRODID", "VERSION", "CALSCALE"):
            if key in feed:
                item.add(key, feed[key])
        for component in [*zones, *components]:
            item.add_component(component)
        yield item.to_ical()


def start_radicale(
    processes: Processes, folder: Path, school: School, port: int
) -> subprocess.Popen[bytes]:
    root = folder / "radicale"
    for feed in school.feeds:
        collection = root / "collection-root" / "bench" / feed.slug
        collection.mkdir(parents=True, exist_ok=True)
        (collection / ".Radicale.props").write_text(
            json.dumps({"tag": "VCALENDAR", "D:displayname": feed.name}), encoding="utf-8"
        )
        for number, item in enumerate(radicale_items(feed.body)):
            (collection / f"{number}.ics").write_bytes(item)
    config = folder / "radicale.conf"
    config.write_text(
        f"[server]\nhosts = {HOST}:{port}\n[auth]\ntype = none\n"
        "[rights]\ntype = authenticated\n"
        f"[storage]\nfilesystem_folder = {root}\n[web]\ntype = none\n"
        "[logging]\nlevel = warning\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "radicale", "--config", str(config)]
    return processes.start("Radicale", command, school.env)


def feed_path(server: str, feed: Feed) -> str:
    if server == "guanai":
        return f"/feeds/{feed.token}.ics"
    if server in ("nginx", "bare ASGI"):
        return f"/{feed.slug}.ics"
    return f"/bench/{feed.slug}/"


# --- wrk -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    requests: int
    rate: float
    p99_ms: float
    status: int
    errors: str


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str, status: int) -> Load:
    requests = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if requests is None or rate is None or p99 is None:
        raise BenchError(f"wrk printed no rate or latency:\n{output}")
    problems = [
        f"{m.group(0).strip()}"
        for m in re.finditer(r"(Socket errors:.*|Non-2xx or 3xx responses:.*)", output)
    ]
    return Load(
        int(requests.group(1)),
        float(rate.group(1)),
        float(p99.group(1)) * UNITS_MS[p99.group(2)],
        status,
        "; ".join(problems),
    )


def lua_headers(headers: dict[str, str]) -> str:
    return "".join(f'wrk.headers["{k}"] = [==[{v}]==]\n' for k, v in headers.items())


def load(
    processes: Processes,
    folder: Path,
    port: int,
    path: str,
    headers: dict[str, str],
    seconds: int,
    connections: int,
    lua: str = "",
) -> Load:
    """wrk on ``path`` with ``headers`` (set by a Lua script, with ``lua`` after them); the
    status is that of one request with the same headers, sent just before."""
    status, _, _ = get(port, path, headers)
    script = folder / "wrk.lua"
    script.write_text(lua_headers(headers) + lua, encoding="utf-8")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    command += ["-s", str(script), f"http://{HOST}:{port}{path}"]
    wrk = processes.start("wrk", command, os.environ.copy())
    try:
        wrk.wait(timeout=seconds + 60)
    finally:
        processes.started.remove(wrk)
        _signal_group(wrk, signal.SIGTERM)
        wrk.wait()
    return parse_wrk((processes.logs / "wrk.log").read_text(), status)


def teachers_lua(cookies: Sequence[str]) -> str:
    """Each request a signed-in teacher's, in turn; each connection waits 0-2 s (1 s on
    average, a teacher far quicker than one reading their phone) before each request, its
    first included, so that the teachers do not all tap at once."""
    listed = ", ".join(f"[==[{cookie}]==]" for cookie in cookies)
    return (
        f"local cookies = {{{listed}}}\nlocal n = 0\n"
        "request = function()\n  n = n + 1\n"
        '  return wrk.format("GET", nil, {["Cookie"] = cookies[(n % #cookies) + 1]})\nend\n'
        "delay = function() return math.random(0, 2000) end\n"
    )


# --- the report ------------------------------------------------------------------------------


def _rate(load: Load | None) -> str:
    if load is None:
        return "-"
    return f"{load.rate:,.0f}" if load.rate >= 10 else f"{load.rate:.1f}"


def _ratio(a: Load | None, b: Load | None) -> str:
    return "-" if a is None or b is None or b.rate == 0 else f"{a.rate / b.rate:.2f}"


def print_table(
    results: dict[str, dict[str, Load]], pages: tuple[Load, Load] | None, page_note: str
) -> None:
    header = (
        f"{'case':<26}{'guanai':>9}{'nginx':>9}{'Radicale':>10}{'bare':>9}{'g/nginx':>9}"
        f"{'g/Radicale':>12}{'bare/nginx':>12}{'g/bare':>8}"
        f"  goal: >= Radicale and >= {FEED_GOAL_NGINX_SHARE}x nginx"
    )
    print(header)
    print("-" * len(header))
    legend = (
        "bare: Starlette on uvicorn (benchmarks/bare_asgi.py), same workers, answering the same"
        " bytes from memory with no token and no database: the ceiling of guanai's stack here"
    )
    for case, by_server in results.items():
        g, n, r, b = (by_server.get(s) for s in SERVERS)
        met = (
            g is not None
            and n is not None
            and r is not None
            and g.rate >= r.rate
            and g.rate >= FEED_GOAL_NGINX_SHARE * n.rate
        )
        print(
            f"{case:<26}{_rate(g):>9}{_rate(n):>9}{_rate(r):>10}{_rate(b):>9}{_ratio(g, n):>9}"
            f"{_ratio(g, r):>12}{_ratio(b, n):>12}{_ratio(g, b):>8}  {'met' if met else 'NOT met'}"
        )
    print(legend)
    print()
    print("answers (status of a probe with the same headers; p99 latency; wrk's errors):")
    for case, by_server in results.items():
        for server, result in by_server.items():
            errors = f"; {result.errors}" if result.errors else ""
            p99 = f"p99 {result.p99_ms:,.1f} ms" if result.requests else "none answered"
            print(
                f"  {case:<26}{server:<9} {result.status}  {result.requests:>7,} requests, {p99}{errors}"
            )
    print()
    if not pages:
        print(f"teacher page GET /me: not measured ({page_note})")
        return
    teachers, capacity = pages
    met = teachers.p99_ms < PAGE_P99_GOAL_MS and teachers.status == 200
    for name, page in (
        (f"{PAGE_CONNECTIONS} teachers, a page each 0-2 s, for {TEACHER_SECONDS} s", teachers),
        (f"capacity: {PAGE_CONNECTIONS} connections, no pause (one teacher)", capacity),
    ):
        errors = f"; {page.errors}" if page.errors else ""
        print(
            f"teacher page GET /me, {name}: {page.rate:,.0f} requests/s, "
            f"p99 {page.p99_ms:,.1f} ms (status {page.status}{errors})"
        )
    print(
        f"goal: p99 < {PAGE_P99_GOAL_MS:.0f} ms with {PAGE_CONNECTIONS} teachers:"
        f" {'met' if met else 'NOT met'}"
    )


def answered(server: str, port: int, feed: Feed) -> str:
    """What ``server`` answers for ``feed``: the exported file's bytes, or how many events."""
    status, _, body = get(port, feed_path(server, feed))
    if status != 200:
        return f"{server} answers {status}"
    if body == feed.body:
        return f"{server} the exported bytes"
    return f"{server} {body.count(b'BEGIN:VEVENT'):,} events, {len(body) / 1024:,.0f} KiB"


def signed_in_cookie(port: int, token: str) -> str | None:
    """The ``guanai_session`` cookie that opening the link sets, or None."""
    _, headers, _ = get(port, f"/t/{token}")
    found = re.search(r"guanai_session=([^;,\s]+)", headers.get("set-cookie", ""))
    return f"guanai_session={found.group(1)}" if found else None


def teacher_pages(
    processes: Processes, folder: Path, port: int, school: School
) -> tuple[tuple[Load, Load] | None, str]:
    """The teacher's page loaded as 50 teachers at once, then at capacity; or why not."""
    cookies = [signed_in_cookie(port, token) for token in school.link_tokens]
    signed_in = [cookie for cookie in cookies if cookie is not None]
    if len(signed_in) < len(cookies):
        return None, "opening a teacher's link set no guanai_session cookie"
    first = {"Cookie": signed_in[0]}
    # Warm-up, not counted: each worker's first pages compile its templates and statements.
    load(processes, folder, port, "/me", first, 5, PAGE_CONNECTIONS, teachers_lua(signed_in))
    teachers = load(
        processes,
        folder,
        port,
        "/me",
        first,
        TEACHER_SECONDS,
        PAGE_CONNECTIONS,
        teachers_lua(signed_in),
    )
    capacity = load(processes, folder, port, "/me", first, 5, PAGE_CONNECTIONS)
    return (teachers, capacity), ""


def run(args: argparse.Namespace, folder: Path, processes: Processes) -> None:
    started = time.perf_counter()
    school = build_school(folder, args.children)
    print(
        f"demo school: {args.children} children, term {TERM}, built in "
        f"{time.perf_counter() - started:.1f} s; {args.workers} workers for guanai and nginx, "
        f"wrk -t2 -c{args.connections} -d{args.seconds}s"
    )
    for feed in school.feeds:
        print(f"  {feed.name}: {feed.events:,} events, {len(feed.body) / 1024:,.0f} KiB")
    starters = {
        "guanai": lambda port: start_guanai(processes, school, args.workers, port),
        "nginx": lambda port: start_nginx(processes, folder, school, args.workers, port),
        "Radicale": lambda port: start_radicale(processes, folder, school, port),
        "bare ASGI": lambda port: start_bare_asgi(processes, school, args.workers, port),
    }
    cases = [
        (feed, conditional, f"{feed.name} {'conditional' if conditional else 'cached 200'}")
        for feed in school.feeds
        for conditional in (False, True)
    ]
    results: dict[str, dict[str, Load]] = {case: {} for _, _, case in cases}
    pages, page_note = None, ""
    for server in SERVERS:
        # One server at a time, each run on an idle one: no server's backlog takes the CPUs
        # from another's figures.
        port = free_port()

        def started(server: str = server, port: int = port) -> subprocess.Popen[bytes]:
            process = starters[server](port)
            wait_until_answering(
                processes, server, process, port, feed_path(server, school.feeds[0])
            )
            return process

        process = started()
        print(f"  {server} serves: " + "; ".join(answered(server, port, f) for f in school.feeds))
        for feed, conditional, case in cases:
            if not settled(process):
                print(f"  {server} still busy {SETTLE_WITHIN:.0f} s after a run: restarted")
                processes.stop(process)
                process = started()
            path = feed_path(server, feed)
            headers: dict[str, str] = {}
            if conditional:
                _, answer, _ = get(port, path)
                headers["If-None-Match"] = answer.get("etag", "")
            results[case][server] = load(
                processes, folder, port, path, headers, args.seconds, args.connections
            )
        if server == "guanai":
            settled(process)
            pages, page_note = teacher_pages(processes, folder, port, school)
        processes.stop(process)
    print()
    print_table(results, pages, page_note)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=3000)
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections per feed case")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="guanai-bench-") as name:
        folder = Path(name)
        (folder / "logs").mkdir()
        processes = Processes(folder / "logs")
        try:
            run(args, folder, processes)
        except BenchError as error:
            print(f"benchmark stopped: {error}", file=sys.stderr)
            sys.exit(1)
        except KeyboardInterrupt:
            print("benchmark interrupted", file=sys.stderr)
            sys.exit(130)
        finally:
            processes.stop_all()


if __name__ == "__main__":
    main()
