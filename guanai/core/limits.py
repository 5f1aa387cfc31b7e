"""Bounds on what guanai reads from one file: the messages that name them, and TOML's nesting.

The limits themselves are settings (:class:`guanai.core.config.LimitSettings`, the config
file's ``[limits]`` table). Every refusal says which limit the file went past, its value and
the key that raises it, so that a school whose honest file is larger knows what to change.
"""

from __future__ import annotations

import re

from guanai.core.i18n import Label

_UNITS = {"_mb": " MiB", "_kb": " KiB"}


def limit_text(key: str, value: int) -> str:
    """A limit's value as the user sets it: ``256 MiB`` for ``file_mb``, ``10,000`` for rows."""
    unit = next((unit for suffix, unit in _UNITS.items() if key.endswith(suffix)), "")
    return f"{value:,}{unit}"


def over_limit(what: Label, key: str, value: int) -> Label:
    """``what`` (the file and what is too large in it), then the limit and how to raise it."""
    shown = limit_text(key, value)
    return Label(
        f"{what.zh}，超过上限 {shown}（可在配置文件的 [limits] 中调大 {key}）",
        f"{what.en}, over the limit of {shown} (raise {key} in the config file's [limits])",
    )


def toml_too_deep(text: str, depth: int) -> int | None:
    """The line on which ``text`` nests arrays or inline tables more than ``depth`` deep, or None.

    :mod:`tomllib` parses nesting by recursion, so a file of a few thousand ``[`` would end in
    a RecursionError; this scan, linear and without recursion, refuses it first. It counts the
    brackets that TOML reads as brackets: not those inside strings (basic, literal, and their
    multi-line forms) or comments. Where a file is not valid TOML the count may differ from
    tomllib's only after the point where tomllib stops with its own error.
    """
    level, line, index = 0, 1, 0
    while match := _SPECIAL.search(text, index):
        char, index = match.group(), match.end()
        if char in "[{":
            level += 1
            if level > depth:
                return line
        elif char in "]}":
            level -= 1
        elif char == "#":
            index = _line_end(text, index)
        elif char in "\"'":
            start, index = index, _string_end(text, index - 1)
            line += text.count("\n", start, index)
        else:
            line += 1
    return None


_SPECIAL = re.compile(r"[\[\]{}#\"'\n]")


def _line_end(text: str, index: int) -> int:
    found = text.find("\n", index)
    return len(text) if found == -1 else found


def _string_end(text: str, index: int) -> int:
    """The index just past the string whose quote is at ``index`` (an unterminated one ends
    with its line, or a multi-line one with the file: there tomllib fails too)."""
    quote = text[index]
    if text.startswith(quote * 3, index):
        index += 3
        while index < len(text):
            if quote == '"' and text[index] == "\\":
                index += 2
            elif text.startswith(quote * 3, index):
                # up to two quotes may stand just inside the closing delimiter: """a""""
                run = 3
                while run < 5 and text.startswith(quote, index + run):
                    run += 1
                return index + run
            else:
                index += 1
        return len(text)
    index += 1
    while index < len(text) and text[index] != "\n":
        if quote == '"' and text[index] == "\\":
            index += 2
        elif text[index] == quote:
            return index + 1
        else:
            index += 1
    return index
