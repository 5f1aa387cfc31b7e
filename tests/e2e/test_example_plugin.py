"""The example plugin in examples/guanai-sports-day, installed by pip and run through the real CLI.

The example is installed into a fresh virtual environment that borrows this environment's
packages (guanai and its dependencies) through a ``.pth`` file: offline, without changing this
environment, so other tests keep seeing no installed plugins. How and why:
tests/e2e/plugin_install.py, shared with the plugin template's test. The CLI and the example's
own tests then run with that venv's python, as a school or the plugin's author would run them.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from plugin_install import copy_source, fresh_venv, pip_install, run_in, venv_env
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from guanai.core.calendar import load_calendar, shipped_calendars
from guanai.core.models import Activity, School, SchoolClass, Task, TaskState

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[2] / "examples" / "guanai-sports-day"
SPORTS_DAY = date(2026, 10, 23)  # a Friday in the autumn term
NOW = "2026-09-01T08:00"  # the first day of term, so nothing is done or overdue yet


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A venv's python with the example installed, and the copy of the source it came from."""
    root = tmp_path_factory.mktemp("example-plugin")
    source = copy_source(EXAMPLE, root)
    python = fresh_venv(root)
    pip_install(python, source, venv_env(root))
    return python, source


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **venv_env(tmp_path),
        "GUANAI_DATABASE_URL": f"sqlite:///{tmp_path / 'guanai.db'}",
        "GUANAI_LANG": "en",
        "GUANAI_ACTOR": "e2e",
    }


def _guanai(python: Path, env: dict[str, str], *args: str) -> str:
    done = run_in(python, "-m", "guanai", *args, env=env, cwd=Path(env["GUANAI_CONFIG"]).parent)
    assert done.returncode == 0, f"guanai {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    assert "failed and was contained" not in done.stderr, done.stderr
    return done.stdout


def test_sports_day_is_planned_through_the_cli(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    python, _ = installed
    env = _env(tmp_path)
    shipped = shipped_calendars()["2026-autumn"].read_text(encoding="utf-8")
    term = tmp_path / "autumn.toml"
    term.write_text(shipped, encoding="utf-8")
    with_sports_day = tmp_path / "autumn-with-sports-day.toml"
    with_sports_day.write_text(
        shipped + f'\n[[plan]]\ntype = "sports_day"\non = {SPORTS_DAY.isoformat()}\n',
        encoding="utf-8",
    )

    _guanai(python, env, "init")
    _guanai(python, env, "demo", "--children", "30", "--term", str(term), "--now", NOW)

    rows = {row["name"]: row for row in json.loads(_guanai(python, env, "plugins", "--json"))}
    version = tomllib.loads((EXAMPLE / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert rows["sports_day"] == {
        "name": "sports_day",
        "version": version,
        "hooks": ["register_activity_types"],
        "activity_types": ["sports_day"],
        "error": None,
    }
    assert all(row["error"] is None for row in rows.values())

    _guanai(python, env, "plan", str(with_sports_day), "--now", NOW)

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
    # cancelled, and no task of the term lies outside its school days (or, for the winter
    # break's, the break's duty days).
    assert not [t for t in all_tasks if t.state == TaskState.CANCELLED]
    off_days = {
        day
        for t in all_tasks
        for day in (t.scheduled_on, t.due_on)
        if not calendar.is_duty_day(day)
    }
    assert off_days == set()


def test_the_examples_own_tests_pass_where_it_is_installed(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    """The example's tests/, using guanai.testing's fixtures, as its author would run them."""
    python, source = installed
    done = run_in(
        python,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        source / "tests",
        env=venv_env(tmp_path),
        cwd=tmp_path,  # not the source tree, so that the installed module is the one imported
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "skipped" not in done.stdout
