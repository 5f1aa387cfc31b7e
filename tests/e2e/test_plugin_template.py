"""``guanai plugin new`` writes a package that installs, is found, lints clean and passes its test.

The generator runs through the real command line. The package it writes is installed with pip
into a fresh virtual environment that borrows this environment's packages (guanai, pytest and
their dependencies) through a ``.pth`` file, so nothing is fetched from an index and this
environment is never changed: see tests/e2e/plugin_install.py for how and why. Its test then
runs there with that venv's python, as its author would run it after ``pip install``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import util
from pathlib import Path

import pytest
from plugin_install import fresh_venv, pip_install, run_in, venv_env

import guanai

pytestmark = pytest.mark.slow

FILES = [
    "README.md",
    "guanai_kite_festival/__init__.py",
    "pyproject.toml",
    "tests/test_kite_festival.py",
]


def _generate(tmp_path: Path, env: dict[str, str]) -> Path:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "guanai",
            "--lang",
            "en",
            "plugin",
            "new",
            "guanai-kite-festival",
            "--directory",
            str(tmp_path / "src"),
            "--title-zh",
            "风筝节",
            "--title-en",
            "Kites",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    source = tmp_path / "src" / "guanai-kite-festival"
    assert f"cd {source}" in done.stdout and "pip install -e '.[test]'" in done.stdout
    return source


def test_the_generated_plugin_installs_and_its_test_passes(tmp_path: Path) -> None:
    env = venv_env(tmp_path)
    source = _generate(tmp_path, env)
    assert sorted(p.relative_to(source).as_posix() for p in source.rglob("*.*")) == FILES
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(source)],
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr

    python = fresh_venv(tmp_path)
    pip_install(python, source, env)
    assert util.find_spec("guanai_kite_festival") is None, "installed into the venv only"

    where = run_in(python, "-c", "import guanai; print(guanai.__file__)", env=env, cwd=tmp_path)
    assert where.stdout.strip() == guanai.__file__, where.stderr

    listed = run_in(python, "-m", "guanai", "plugins", "--json", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["kite_festival"] == {
        "name": "kite_festival",
        "version": "0.1.0",
        "hooks": ["register_activity_types"],
        "activity_types": ["kite_festival"],
        "error": None,
    }

    # From tmp_path, not the source tree: the installed package is the one imported.
    tests = run_in(
        python, "-m", "pytest", "-p", "no:cacheprovider", source / "tests", env=env, cwd=tmp_path
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "3 passed" in tests.stdout


@pytest.mark.parametrize("name", ["1st-day", "kite festival", "风筝节", "guanai-", "talk"])
def test_a_bad_or_taken_name_is_refused_and_nothing_written(tmp_path: Path, name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "guanai", "plugin", "new", name, "--directory", str(tmp_path)],
        capture_output=True,
        text=True,
        env=venv_env(tmp_path),
    )
    assert done.returncode == 1
    assert done.stderr.startswith("错误：") and name in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_directory_is_not_overwritten(tmp_path: Path) -> None:
    env = venv_env(tmp_path)
    source = _generate(tmp_path, env)
    (source / "README.md").write_text("mine", encoding="utf-8")
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "guanai",
            "--lang",
            "en",
            "plugin",
            "new",
            "kite-festival",
            "--directory",
            str(tmp_path / "src"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    assert (source / "README.md").read_text(encoding="utf-8") == "mine"
