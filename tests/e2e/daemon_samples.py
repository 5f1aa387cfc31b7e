"""Running ``guanai run`` as a separate process, as an operator would, and reading its logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from guanai.core.calendar import load_calendar
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.engine import plan_term
from guanai.core.pm import build_plugin_manager

GUANAI = Path(sys.executable).parent / "guanai"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def plan_demo(engine: Engine, children: int = 40) -> None:
    """A demo school with the 2026 autumn term planned (as ``guanai demo`` does)."""
    registry = build_plugin_manager(load_entry_points=False).activity_registry()
    with transaction(engine) as session:
        create_demo_school(session, children=children)
        plan_term(
            session,
            load_calendar("2026-autumn"),
            registry,
            actor="t",
            now=datetime.combine(date(2026, 8, 25), clock_time(8), tzinfo=SHANGHAI),
            max_per_teacher_per_day=3,
        )


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def write_config(path: Path, reminders: dict[str, Any], channels: dict[str, dict]) -> Path:
    lines = ["[reminders]", *(f"{k} = {toml_value(v)}" for k, v in reminders.items())]
    for name, options in channels.items():
        lines += ["", f"[channels.{name}]"]
        lines += [f"{k} = {toml_value(v)}" for k, v in options.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_daemon(database_url: str, config: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANAI_")}
    env["GUANAI_CONFIG"] = str(config)
    with log.open("ab") as output:
        return subprocess.Popen(
            [str(GUANAI), "--db", database_url, "run", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )


def events(log: Path) -> list[dict[str, Any]]:
    """The daemon's JSON log lines (anything else, such as a traceback, is skipped)."""
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
