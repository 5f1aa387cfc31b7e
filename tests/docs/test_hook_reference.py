"""docs/hooks/ documents every hook, with the signature the code has (datasette's test_docs).

The hooks are found as pluggy finds them: the functions of ``guanai.core.hookspecs`` carrying
the ``guanai_spec`` marker. Each page's first ```python block must start with the line
``def <hook>(<parameters>) -> <return>:``; it is parsed with ``ast`` and compared, parameter
by parameter, with the spec's own source (annotations compared as unparsed text, whitespace
normalised).
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from guanai.core import hookspecs
from guanai.core.pm import GuanaiPluginManager

HOOKS_DIR = Path(__file__).parents[2] / "docs" / "hooks"
INDEX_NAMES = ("README.md", "index.md")
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def spec_functions() -> dict[str, object]:
    return {
        name: function
        for name, function in vars(hookspecs).items()
        if inspect.isfunction(function) and hasattr(function, "guanai_spec")
    }


HOOKS = sorted(spec_functions())


def index_page() -> Path:
    for name in INDEX_NAMES:
        if (HOOKS_DIR / name).exists():
            return HOOKS_DIR / name
    pytest.fail(f"docs/hooks/ has no index page ({' or '.join(INDEX_NAMES)})", pytrace=False)


def pages() -> set[str]:
    return {p.stem for p in HOOKS_DIR.glob("*.md") if p.name not in INDEX_NAMES}


def _text(node: ast.expr | None) -> str | None:
    return None if node is None else " ".join(ast.unparse(node).split())


def shape(function: ast.FunctionDef) -> dict[str, object]:
    """What must agree: parameters by kind, with annotations and defaults, and the return."""
    arguments = function.args
    return {
        "positional-only": [(a.arg, _text(a.annotation)) for a in arguments.posonlyargs],
        "parameters": [(a.arg, _text(a.annotation)) for a in arguments.args],
        "*args": arguments.vararg and (arguments.vararg.arg, _text(arguments.vararg.annotation)),
        "keyword-only": [(a.arg, _text(a.annotation)) for a in arguments.kwonlyargs],
        "**kwargs": arguments.kwarg and (arguments.kwarg.arg, _text(arguments.kwarg.annotation)),
        "defaults": [_text(d) for d in arguments.defaults + arguments.kw_defaults if d],
        "return": _text(function.returns),
    }


def spec_shape(name: str) -> dict[str, object]:
    source = inspect.getsource(spec_functions()[name])
    [function] = ast.parse(source).body
    assert isinstance(function, ast.FunctionDef)
    return shape(function)


def documented_function(name: str) -> ast.FunctionDef:
    page = HOOKS_DIR / f"{name}.md"
    blocks = PYTHON_BLOCK.findall(page.read_text(encoding="utf-8"))
    assert blocks, f"docs/hooks/{name}.md has no ```python block with the signature"
    first_line = blocks[0].splitlines()[0]
    assert re.fullmatch(rf"def {name}\(.*\) -> .+:", first_line), (
        f"docs/hooks/{name}.md: the first ```python block must start with the signature on one "
        f"line, 'def {name}(...) -> ...:', not {first_line!r}"
    )
    try:
        tree = ast.parse(blocks[0])
    except SyntaxError as error:
        pytest.fail(f"docs/hooks/{name}.md: the signature block is not Python: {error}")
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef) and function.name == name
    return function


def differences(documented: dict[str, object], spec: dict[str, object]) -> list[str]:
    return [
        f"{part}: documented {documented[part]!r}, but the spec has {spec[part]!r}"
        for part in spec
        if documented[part] != spec[part]
    ]


def test_the_hooks_are_found_and_are_the_managers_hooks() -> None:
    """The marker lookup finds exactly the hooks the plugin manager knows (guards this test)."""
    pm = GuanaiPluginManager()
    assert HOOKS, "no hookspec found in guanai.core.hookspecs"
    assert sorted(pm.hook_names()) == HOOKS


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_page(name: str) -> None:
    assert (HOOKS_DIR / f"{name}.md").exists(), (
        f"hook {name} has no page: write docs/hooks/{name}.md (signature, what it is for, when "
        "it is called, its arguments, its return value, what happens if it raises, an example)"
    )


@pytest.mark.parametrize("name", HOOKS)
def test_each_page_has_the_specs_signature(name: str) -> None:
    if not (HOOKS_DIR / f"{name}.md").exists():
        pytest.skip("no page (reported by test_every_hook_has_a_page)")
    found = differences(shape(documented_function(name)), spec_shape(name))
    assert not found, f"docs/hooks/{name}.md differs from hookspecs.{name}:\n" + "\n".join(found)


@pytest.mark.parametrize("name", HOOKS)
def test_each_page_says_what_the_reader_needs(name: str) -> None:
    """The headings of the facts every page gives; an example that is complete Python."""
    if not (HOOKS_DIR / f"{name}.md").exists():
        pytest.skip("no page (reported by test_every_hook_has_a_page)")
    text = (HOOKS_DIR / f"{name}.md").read_text(encoding="utf-8")
    for fact in (
        "What it is for",
        "When it is called",
        "Arguments",
        "Return value",
        "firstresult",
        "If it raises",
        "Example",
    ):
        assert fact in text, f"docs/hooks/{name}.md does not say {fact!r}"
    example = PYTHON_BLOCK.findall(text)[1:]
    assert example, f"docs/hooks/{name}.md has no example after the signature"
    implements = [
        node
        for block in example
        for node in ast.walk(ast.parse(block))
        if isinstance(node, ast.FunctionDef)
        and node.name == name
        and any(_text(d) == "hookimpl" for d in node.decorator_list)
    ]
    assert implements, f"docs/hooks/{name}.md: no example implements it with @hookimpl"


def test_no_page_documents_a_hook_that_does_not_exist() -> None:
    stray = sorted(pages() - set(HOOKS))
    assert not stray, (
        f"docs/hooks/ documents {', '.join(stray)}, which guanai.core.hookspecs does not "
        "define: remove the page or rename it to the hook"
    )


def test_the_index_links_every_page() -> None:
    index = index_page()
    linked = set(re.findall(r"\]\(([a-z_]+)\.md\)", index.read_text(encoding="utf-8")))
    missing = sorted(set(HOOKS) - linked)
    assert not missing, f"docs/hooks/{index.name} does not link {', '.join(missing)}"
    stray = sorted(linked - set(HOOKS))
    assert not stray, f"docs/hooks/{index.name} links pages of no hook: {', '.join(stray)}"


def test_the_plugin_guide_links_the_reference() -> None:
    guide = (HOOKS_DIR.parent / "plugins.md").read_text(encoding="utf-8")
    assert "hooks/README.md" in guide or "hooks/index.md" in guide


# --- the comparison itself can fail ------------------------------------------------------------


def _parsed(source: str) -> dict[str, object]:
    [function] = ast.parse(source).body
    assert isinstance(function, ast.FunctionDef)
    return shape(function)


def test_a_renamed_or_retyped_parameter_is_named_in_the_difference() -> None:
    spec = _parsed("def task_completed(task_id: int, step: str) -> None: ...")
    wrong = _parsed("def task_completed(task_id: str, stage: str) -> None: ...")
    [found] = differences(wrong, spec)
    assert "('task_id', 'str'), ('stage', 'str')" in found
    assert "('task_id', 'int'), ('step', 'str')" in found


def test_whitespace_inside_annotations_does_not_count_but_the_return_does() -> None:
    spec = _parsed("def hook(register: Callable[[int], None]) -> None: ...")
    spaced = _parsed("def hook(register: Callable[ [int],None ]) -> None: ...")
    assert differences(spaced, spec) == []
    returning = _parsed("def hook(register: Callable[[int], None]) -> bool: ...")
    assert differences(returning, spec) == ["return: documented 'bool', but the spec has 'None'"]
