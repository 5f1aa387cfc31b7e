"""docs/api.md lists exactly the public API: the names in ``guanai.__all__``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import guanai

API_PAGE = Path(__file__).parents[2] / "docs" / "api.md"
GROUPS = ("Activity types", "Calendars", "Reminder channels", "Errors", "Hooks")
ROW = re.compile(r"^\| `(\w+)` \|", re.M)


def documented() -> list[str]:
    """The names in the first column of the page's tables, in order."""
    return ROW.findall(API_PAGE.read_text(encoding="utf-8"))


def test_the_page_lists_exactly_guanai_all() -> None:
    names = documented()
    missing = sorted(set(guanai.__all__) - set(names))
    extra = sorted(set(names) - set(guanai.__all__))
    assert not missing, f"docs/api.md does not list {', '.join(missing)} (in guanai.__all__)"
    assert not extra, f"docs/api.md lists {', '.join(extra)}, which guanai.__all__ does not have"


def test_each_name_is_listed_once() -> None:
    names = documented()
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"docs/api.md lists {', '.join(repeated)} more than once"


def test_every_public_name_exists_and_all_has_no_duplicates() -> None:
    assert len(set(guanai.__all__)) == len(guanai.__all__)
    assert [name for name in guanai.__all__ if not hasattr(guanai, name)] == []


def test_the_page_is_grouped_and_says_everything_else_is_private() -> None:
    text = API_PAGE.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert [g for g in GROUPS if g not in headings] == []
    assert "Everything else is private" in text


def test_the_row_pattern_finds_names() -> None:
    """Guards the test itself: a table row names one API name, prose does not."""
    assert ROW.findall("| `Label` | text |\n`Step` in prose\n| name | what |\n") == ["Label"]


def test_importing_the_api_loads_no_database_module() -> None:
    """``import guanai`` stays cheap; the service and its results load on first use."""
    code = "import sys, guanai; print([m for m in ('sqlalchemy', 'guanai.service') if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert guanai.Guanai.__name__ == "Guanai" and guanai.TaskView.__name__ == "TaskView"
