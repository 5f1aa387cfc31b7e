"""The example plugin in examples/guanai-sports-day, installed by pip and run through the real CLI.

How the plugin is installed, and why:

- The example is copied into ``tmp_path`` first, because setuptools builds in the source tree
  (``build/``, ``*.egg-info``) and the repository must stay clean.
- ``pip install --no-deps --target <dir>`` puts the plugin and its ``.dist-info`` (with the
  ``guanai`` entry point) into a directory of its own. ``--no-deps`` because its only
  dependency, guanai, is the one under test, already importable in this interpreter.
- The CLI runs as ``sys.executable -m guanai`` with that directory on ``PYTHONPATH``:
  ``importlib.metadata`` scans every ``sys.path`` entry for distributions, so guanai sees the
  entry point exactly as for a normal install, while the test environment itself is never
  changed (other tests keep seeing no installed plugins). A fresh venv would not do: it would
  have to install guanai and all its dependencies again, from an index.
- The build runs offline (``--no-build-isolation --no-index``) when this interpreter has a
  setuptools new enough to build the example (>= 77, which builds wheels by itself). Otherwise
  pip builds in an isolated environment and fetches setuptools from the package index, which
  takes several seconds more and needs the index to be reachable.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from datetime import date
from importlib import metadata
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from guanai.core.calendar import load_calendar, shipped_calendars
from guanai.core.models import Activity, School, SchoolClass, Task, TaskState

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[2] / "examples" / "guanai-sports-day"
SPORTS_DAY = date(2026, 10, 23)  # a Friday in the autumn term
NOW = "2026-09-01T08:00"  # the first day of term, so nothing is done or overdue yet


def _setuptools_builds_offline() -> bool:
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    return int(version.split(".")[0]) >= 77


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the example plugin as pip installed it."""
    root = tmp_path_factory.mktemp("example-plugin")
    source = root / "guanai-sports-day"
    shutil.copytree(
        EXAMPLE,
        source,
        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache"),
    )
    target = root / "site"
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    if _setuptools_builds_offline():
        command += ["--no-build-isolation", "--no-index"]
    command += ["--target", str(target), str(source)]
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "PIP_NO_INPUT": "1"}
    )
    if done.returncode != 0:
        pytest.fail(
            "pip could not install the example plugin (offline builds need setuptools>=77 in"
            f" this environment, otherwise a reachable package index):\n{done.stderr}",
            pytrace=False,
        )
    return target


def _env(plugin_dir: Path, tmp_path: Path) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(plugin_dir), os.environ.get("PYTHONPATH")) if p)
    return {
        **os.environ,
        "PYTHONPATH": path,
        "GUANAI_DATABASE_URL": f"sqlite:///{tmp_path / 'guanai.db'}",
        "GUANAI_CONFIG": str(tmp_path / "no-such-config.toml"),
        "GUANAI_LANG": "en",
        "GUANAI_ACTOR": "e2e",
    }


def _guanai(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "guanai", *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, f"guanai {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    assert "failed and was contained" not in done.stderr, done.stderr
    return done.stdout


def test_sports_day_is_planned_through_the_cli(plugin_dir: Path, tmp_path: Path) -> None:
    env = _env(plugin_dir, tmp_path)
    shipped = shipped_calendars()["2026-autumn"].read_text(encoding="utf-8")
    term = tmp_path / "autumn.toml"
    term.write_text(shipped, encoding="utf-8")
    with_sports_day = tmp_path / "autumn-with-sports-day.toml"
    with_sports_day.write_text(
        shipped + f'\n[[plan]]\ntype = "sports_day"\non = {SPORTS_DAY.isoformat()}\n',
        encoding="utf-8",
    )

    _guanai(env, "init")
    _guanai(env, "demo", "--children", "30", "--term", str(term), "--now", NOW)

    rows = {row["name"]: row for row in json.loads(_guanai(env, "plugins", "--json"))}
    version = tomllib.loads((EXAMPLE / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert rows["sports_day"] == {
        "name": "sports_day",
        "version": version,
        "hooks": ["register_activity_types"],
        "activity_types": ["sports_day"],
        "error": None,
    }
    assert all(row["error"] is None for row in rows.values())

    _guanai(env, "plan", str(with_sports_day), "--now", NOW)

    calendar = load_calendar(with_sports_day)
    engine = create_engine(env["GUANAI_DATABASE_URL"])
    try:
        with Session(engine) as session:
            school = session.scalars(select(School).where(School.code == "DEMO")).one()
            heads = dict(
                session.execute(
                    select(SchoolClass.id, SchoolClass.head_teacher_id).where(
                        SchoolClass.school_id == school.id
                    )
                ).all()
            )
            activity = session.scalars(select(Activity).where(Activity.type == "sports_day")).one()
            tasks = session.scalars(select(Task).where(Task.activity_id == activity.id)).all()
            all_tasks = session.scalars(select(Task)).all()
    finally:
        engine.dispose()

    assert (activity.starts_on, activity.ends_on) == (SPORTS_DAY, SPORTS_DAY)
    assert not activity.cancelled
    assert Counter(t.step for t in tasks) == {"plan": 1, "register_teams": len(heads), "hold": 1}
    assert all(t.state == TaskState.PENDING for t in tasks)

    # Counted in school days back from Friday 23 October: National Day (1-7 October) is off
    # and Saturday 10 October is a make-up workday (调休), so 10 school days before is that
    # Saturday and 15 school days before is Monday 28 September.
    by_step = {t.step: t for t in tasks if t.step != "register_teams"}
    assert (by_step["plan"].scheduled_on, by_step["plan"].due_on) == (
        date(2026, 9, 28),
        date(2026, 10, 10),
    )
    assert (by_step["hold"].scheduled_on, by_step["hold"].due_on) == (SPORTS_DAY, SPORTS_DAY)
    assert (by_step["plan"].stage, by_step["hold"].stage) == (0, 1)

    registrations = [t for t in tasks if t.step == "register_teams"]
    assert {t.class_id: t.assignee_id for t in registrations} == heads
    assert {(t.scheduled_on, t.due_on) for t in registrations} == {
        (date(2026, 10, 10), date(2026, 10, 20))
    }

    # Adding the entry re-planned the term in place: the demo's tasks were neither moved nor
    # cancelled, and no task of the term lies outside its school days.
    assert not [t for t in all_tasks if t.state == TaskState.CANCELLED]
    off_days = {
        day
        for t in all_tasks
        for day in (t.scheduled_on, t.due_on)
        if not calendar.is_school_day(day)
    }
    assert off_days == set()


def test_example_plugins_own_tests_pass_when_installed(plugin_dir: Path, tmp_path: Path) -> None:
    """The example's tests/ run against the installed copy, as a plugin author would run them."""
    source = plugin_dir.parent / "guanai-sports-day"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(source / "tests")],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the source tree, so that the installed module is the one imported
        env=_env(plugin_dir, tmp_path),
    )
    assert done.returncode == 0, done.stdout + done.stderr
