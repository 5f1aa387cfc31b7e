"""The README's main job, run as a user would: the installed ``guanai`` script, no options,
the default SQLite file in the user's data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GUANAI = Path(sys.executable).parent / "guanai"


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("GUANAI_", "XDG_"))
    }
    env.update(
        XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"), COLUMNS="120"
    )
    return subprocess.run(
        [str(GUANAI), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.slow
def test_demo_then_a_simulated_month_on_the_default_database(tmp_path: Path) -> None:
    demo = run(tmp_path, "demo", "--now", "2026-09-07T08:00")
    assert demo.returncode == 0, demo.stderr
    assert "示范学校" in demo.stdout and "新建任务" in demo.stdout
    assert "暂定" in demo.stderr, "provisional holidays are announced on the error stream"
    assert (tmp_path / "data" / "guanai" / "guanai.db").is_file()

    month = run(tmp_path, "simulate", "--until", "2026-09-30", "--complete-share", "0.9")
    assert month.returncode == 0, month.stderr
    assert "已模拟 2026-09-01 至 2026-09-30" in month.stdout

    agenda = run(tmp_path, "--lang", "en", "agenda", "--date", "2026-10-08", "--days", "2")
    assert agenda.returncode == 0, agenda.stderr
    assert "Heart-to-heart talk" in agenda.stdout


@pytest.mark.slow
def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, "--db", "postgresql+psycopg://nobody:secret@127.0.0.1:9/none", "plan")
    assert result.returncode == 1
    assert "secret" not in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
