"""``guanai pair --auto`` as a process at a real terminal: it asks, and no is the default.

The CLI tests answer through CliRunner, whose input is never a terminal; here stdin is a
pseudo-terminal, so the question is asked because a person could answer it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import Engine, func, select

from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.models import Pairing

pytestmark = pytest.mark.slow


def pair_at_a_terminal(database_url: str, answer: bytes) -> str:
    """Run ``guanai pair --auto`` with a terminal as its input, type ``answer``, return what
    it printed."""
    controller, terminal = os.openpty()
    try:
        os.write(controller, answer)  # held by the terminal until the prompt reads it
        result = subprocess.run(
            [sys.executable, "-m", "guanai", "--db", database_url, "pair", "--auto"],
            stdin=terminal,
            capture_output=True,
            timeout=120,
            check=False,
            env={**os.environ, "GUANAI_LANG": "en", "COLUMNS": "120"},
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def pairings(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(Pairing)) or 0


def test_at_a_terminal_enter_writes_nothing_and_yes_writes(engine: Engine, database_url: str):
    with transaction(engine) as session:
        create_demo_school(session, children=12, pairings=False)
    declined = pair_at_a_terminal(database_url, b"\n")
    assert "Write the pairings of these 12 children? [y/N]" in declined
    assert "Nothing written." in declined and pairings(engine) == 0
    accepted = pair_at_a_terminal(database_url, b"y\n")
    assert "Paired 12 children" in accepted and pairings(engine) == 12
