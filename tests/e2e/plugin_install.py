"""Install a plugin package into a fresh virtual environment that borrows this one's packages.

A plugin's tests should run where only what pip installed is importable: a new venv, not the
test environment (where guanai's own tests must keep seeing no installed plugins). Installing
guanai and its dependencies into that venv from an index would take minutes and need the
network, so the venv borrows them instead:

1. ``python -m venv --without-pip`` makes the environment (ensurepip would cost seconds and
   is not needed: pip is borrowed too).
2. A ``.pth`` file in its site-packages runs ``site.addsitedir`` on this interpreter's
   site-packages. ``addsitedir`` also processes the ``.pth`` files found there, which matters:
   guanai is installed in editable mode, and ``import guanai`` resolves through the import
   hook that setuptools' ``__editable__`` ``.pth`` installs, not through a path on
   ``sys.path``. The venv's own site-packages comes first on ``sys.path``, so what pip
   installs into the venv wins over anything borrowed.
3. ``<venv>/bin/python -m pip install --no-deps --no-build-isolation --no-index <dir>``:
   offline, built with the borrowed setuptools (>= 77, from guanai's test extra, builds wheels
   without the ``wheel`` package), nothing fetched, the plugin and its ``.dist-info`` (with the
   ``guanai`` entry point) written into the venv.

The plugin is copied into a temporary directory first, since setuptools writes ``build/`` and
``*.egg-info`` into the source tree and the repository must stay clean.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

# The variables guanai reads; the venv's processes start with none of them.
_GUANAI_VARIABLES = ("GUANAI_DATABASE_URL", "GUANAI_LOAD_PLUGINS", "GUANAI_DISABLE_PLUGINS")


def copy_source(source: Path, into: Path) -> Path:
    """A clean copy of a plugin's source tree in ``into``."""
    target = into / source.name
    shutil.copytree(
        source,
        target,
        ignore=shutil.ignore_patterns(
            "build", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache"
        ),
    )
    return target


def borrowed_site_dirs() -> list[str]:
    """This interpreter's site-packages directories, where guanai and pytest are installed."""
    paths = sysconfig.get_paths()
    dirs = [paths["purelib"], paths["platlib"], *site.getsitepackages()]
    return list(dict.fromkeys(d for d in dirs if Path(d).is_dir()))


def fresh_venv(root: Path) -> Path:
    """A new virtual environment under ``root`` that sees this one's packages; its python."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    own = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    lines = [f"import site; site.addsitedir({d!r})" for d in borrowed_site_dirs()]
    (Path(own) / "_borrowed_from_test_environment.pth").write_text("\n".join(lines) + "\n")
    return python


def venv_env(tmp_path: Path) -> dict[str, str]:
    """The environment for the venv's processes: no PYTHONPATH, no guanai settings of ours."""
    env = {k: v for k, v in os.environ.items() if k not in _GUANAI_VARIABLES}
    env.pop("PYTHONPATH", None)
    return {
        **env,
        "GUANAI_CONFIG": str(tmp_path / "no-such-config.toml"),
        "PIP_NO_INPUT": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


def pip_install(python: Path, source: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            str(source),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        pytest.fail(
            f"pip could not install {source.name} (offline builds need setuptools>=77 in the"
            f" test environment: pip install -e '.[test]'):\n{done.stdout}{done.stderr}",
            pytrace=False,
        )


def run_in(
    python: Path, *args: str | Path, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """``<venv>/bin/python ARGS`` in ``cwd``, output captured."""
    return subprocess.run([python, *args], capture_output=True, text=True, env=env, cwd=cwd)
