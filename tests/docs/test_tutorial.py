"""docs/tutorial.md is true: its commands and files, run in order, give a teacher's feed event.

What runs, in document order, as one bash script in ``tmp_path``:

- every ```sh block, line by line (``set -e``: the first failing command fails the test);
- every code block preceded by ``<!-- file: PATH -->`` is written to PATH, and by
  ``<!-- append: PATH -->`` appended to it (``console`` and unmarked blocks are illustrations and
  do not run).

The commands the reader types are shims on ``PATH``, so the dev environment is never changed:
``guanai`` and ``python`` are this interpreter, ``pytest`` is ``python -m pytest``, and
``pip install -e '.[test]'`` installs the plugin with ``pip install --no-deps
--no-build-isolation --no-index --target SITE`` into a directory on ``PYTHONPATH`` (its
``.dist-info`` carries the entry point, which ``importlib.metadata`` finds there; see
tests/e2e/test_example_plugin.py). ``GUANAI_CONFIG`` points at a missing file and the XDG
directories into ``tmp_path``, so the default database is a fresh file there.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

TUTORIAL = Path(__file__).parents[2] / "docs" / "tutorial.md"
BLOCK = re.compile(r"(?:<!-- (file|append): (\S+) -->\n)?```(\w*)\n(.*?)^```", re.M | re.S)

# The essential path: if the tutorial stops saying one of these, it no longer does its job.
ESSENTIAL_COMMANDS = (
    "guanai plugin new autumn-outing",
    "pip install -e",
    "guanai plugins",
    "guanai plan my-term.toml",
    "guanai agenda --teacher T002",
    "guanai feeds issue --teacher T002",
    "guanai export-ics feeds",
    "pytest",
)


def blocks() -> list[tuple[str | None, str | None, str, str]]:
    """(marker, path, language, text) of every fenced block, in order."""
    return [m.groups() for m in BLOCK.finditer(TUTORIAL.read_text(encoding="utf-8"))]


def script() -> str:
    """The tutorial as one bash script."""
    lines = ["set -euo pipefail"]
    for marker, path, language, text in blocks():
        if marker is not None:
            assert path is not None
            redirect = ">" if marker == "file" else ">>"
            lines += [f"mkdir -p {shlex.quote(str(Path(path).parent))}"]
            lines += [
                f"cat {redirect} {shlex.quote(path)} <<'GUANAI_TUTORIAL_EOF'",
                text.rstrip("\n"),
            ]
            lines += ["GUANAI_TUTORIAL_EOF"]
        elif language == "sh":
            lines += [line for line in text.splitlines() if line.strip()]
    return "\n".join(lines) + "\n"


def shims(directory: Path, site: Path) -> None:
    directory.mkdir()
    python = shlex.quote(sys.executable)
    commands = {
        "guanai": f'exec {python} -m guanai "$@"',
        "python": f'exec {python} "$@"',
        "pytest": f'exec {python} -m pytest -q -p no:cacheprovider "$@"',
        "pip": (
            'if [ "$*" != "install -e .[test]" ]; then echo "pip shim: unexpected $*" >&2; exit 2; fi\n'
            f"exec {python} -m pip install --quiet --no-deps --no-build-isolation --no-index "
            f"--target {shlex.quote(str(site))} ."
        ),
    }
    for name, body in commands.items():
        shim = directory / name
        shim.write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
        shim.chmod(0o755)


def environment(tmp_path: Path, bin_dir: Path, site: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GUANAI_") and key != "PYTHONPATH"
    }
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(site),
        GUANAI_CONFIG=str(tmp_path / "no-such-config.toml"),
        PIP_NO_INPUT="1",
    )
    for kind in ("CONFIG", "DATA", "STATE", "CACHE"):
        env[f"XDG_{kind}_HOME"] = str(tmp_path / "xdg" / kind.lower())
    return env


def test_the_tutorial_marks_its_files_and_commands() -> None:
    found = blocks()
    files = {path for marker, path, _, _ in found if marker == "file"}
    assert files == {
        "guanai-autumn-outing/guanai_autumn_outing/__init__.py",
        "guanai-autumn-outing/tests/test_autumn_outing.py",
    }
    assert {path for marker, path, _, _ in found if marker == "append"} == {"my-term.toml"}
    commands = "\n".join(text for _, _, language, text in found if language == "sh")
    missing = [command for command in ESSENTIAL_COMMANDS if command not in commands]
    assert not missing, f"docs/tutorial.md no longer runs: {missing}"
    assert "guanai serve" not in commands, "a server never returns: show it in a console block"


def test_the_tutorial_links_the_testing_page_and_the_references() -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    for link in ("testing.md#testing-your-plugin", "hooks/README.md", "api.md", "plugins.md"):
        assert f"]({link}" in text, link


@pytest.mark.slow
def test_the_tutorial_runs_to_an_event_in_the_teachers_feed(tmp_path: Path) -> None:
    bin_dir, site, work = tmp_path / "bin", tmp_path / "site", tmp_path / "work"
    shims(bin_dir, site)
    work.mkdir()
    env = environment(tmp_path, bin_dir, site)
    (tmp_path / "tutorial.sh").write_text(script(), encoding="utf-8")
    done = subprocess.run(
        ["bash", str(tmp_path / "tutorial.sh")],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"the tutorial failed:\n{done.stdout}\n{done.stderr}"
    assert "failed and was contained" not in done.stderr, done.stderr

    # The installed plugin is seen, without problems.
    listed = subprocess.run(
        [sys.executable, "-m", "guanai", "plugins", "--json"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["autumn_outing"]["activity_types"] == ["autumn_outing"]
    assert rows["autumn_outing"]["error"] is None

    # The agenda of the outing's week showed the outing.
    assert "秋游" in done.stdout

    # The teacher's static feed holds the outing's day and its consent step.
    [feed] = (work / "feeds").glob("*.ics")
    calendar = Calendar.from_ical(feed.read_bytes())
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert "秋游 · 一年级1班" in events, sorted(events)
    assert str(events["秋游 · 一年级1班"]["dtstart"].to_ical(), "ascii") == "20261023"
    assert "秋游: 收齐监护人同意书 · 一年级1班" in events
