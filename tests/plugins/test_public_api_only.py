"""The built-in plugins are written as a third party would write them: on the public API.

Every module under ``guanai/plugins/`` may import ``guanai``, ``guanai.tui`` and its sibling
modules under ``guanai.plugins``, never guanai's internals (``guanai.core``, ``guanai.cli``,
``guanai.service``, ``guanai.testing``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PLUGINS = Path(__file__).parents[2] / "guanai" / "plugins"
FORBIDDEN = ("guanai.core", "guanai.cli", "guanai.service", "guanai.testing")
MODULES = sorted(PLUGINS.rglob("*.py"))


def imported(tree: ast.Module, package: str) -> list[tuple[int, str]]:
    """Each import of the module as (line, absolute module name); ``from guanai import core``
    counts as ``guanai.core``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the module's own package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def forbidden(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in FORBIDDEN)


def _package(path: Path) -> str:
    """The package a module's relative imports start from (its directory)."""
    return ".".join(path.relative_to(PLUGINS.parents[1]).parts[:-1])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PLUGINS)))
def test_a_plugin_module_imports_only_the_public_api(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    module = ".".join(path.relative_to(PLUGINS.parents[1]).with_suffix("").parts)
    wrong = sorted(
        {f"line {line}: {name}" for line, name in imported(tree, _package(path)) if forbidden(name)}
    )
    assert not wrong, f"{module} imports guanai internals: " + "; ".join(wrong)


def test_the_rule_sees_every_kind_of_import() -> None:
    """Guards the test itself: plain, from, aliased, relative and type-checking imports."""
    source = (
        "import guanai.core.models as m\n"
        "from guanai import core\n"
        "from guanai.cli.context import say\n"
        "from ... import service\n"
        "if TYPE_CHECKING:\n    from guanai.testing import Harness\n"
        "from guanai import Label\nfrom guanai.tui import Panel\nfrom guanai.plugins import ical\n"
    )
    names = [name for _, name in imported(ast.parse(source), "guanai.plugins.dashboard")]
    assert [name for name in names if forbidden(name)] == [
        "guanai.core.models",
        "guanai.core",
        "guanai.cli.context",
        "guanai.cli.context.say",
        "guanai.service",
        "guanai.testing",
        "guanai.testing.Harness",
    ]
    assert MODULES, "no plugin modules found"
