"""Class names as schools write them: 三年级(2)班, 三年级（2）班, 三(2)班, 3年级2班, 三年级二班.

Every spelling of one class has the same :func:`class_key`, (grade, class number), so a roster
cell finds the school's class however the school stored its name, and :func:`grade_order`
sorts class names as a school lists them (一年级 before 二年级, 2班 before 10班), not by code
point (一, 三, 二, 五…).

Grades run 1-12: 一年级-六年级 (or 1年级-6年级), 七年级-九年级 or 初一-初三 (7-9), 十年级-
十二年级 or 高一-高三 (10-12). A name that is not of this shape (兴趣班, 32班) has no key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from guanai.core.text import half_width

_NUMERALS = "一二三四五六七八九"
_NUMBER = rf"\d{{1,2}}|十?[{_NUMERALS}]|[{_NUMERALS}]十[{_NUMERALS}]?|十|〇"
_STAGES = {"初": 6, "高": 9}  # 初一 is grade 7, 高一 grade 10
# A grade (三年级, 3年级, 初一, or 三 before a bracketed number), then the class number, with or
# without brackets, and 班 (needed unless the number is bracketed).
_CLASS = re.compile(
    rf"^(?:(?P<stage>[初高])(?P<year>[一二三])(?:年级)?|(?P<grade>{_NUMBER})(?P<nianji>年级)?)"
    rf"(?:\((?P<bracketed>{_NUMBER})\)班?|(?P<number>{_NUMBER})班)$"
)
GRADES = range(1, 13)


def chinese_number(text: str) -> int | None:
    """A number 0-99 written in digits or Chinese numerals (二, 十二, 二十三); None otherwise."""
    if text.isdigit():
        return int(text)
    if text == "〇":
        return 0
    value, units = 0, text
    if "十" in text:
        tens, _, units = text.partition("十")
        value = 10 * (_NUMERALS.index(tens) + 1 if tens else 1)
    if units:
        if units not in _NUMERALS:
            return None
        value += _NUMERALS.index(units) + 1
    return value


def class_key(name: str) -> tuple[int, int] | None:
    """The (grade, class number) a class name spells, or None if it is not of that shape."""
    text = "".join(half_width(str(name)).split())
    match = _CLASS.match(text)
    if match is None:
        return None
    if match["stage"]:
        grade = _STAGES[match["stage"]] + _NUMERALS.index(match["year"]) + 1
    else:
        if match["bracketed"] is None and match["nianji"] is None:
            return None  # 32班: grade and number run together
        grade = chinese_number(match["grade"])
    number = chinese_number(match["bracketed"] or match["number"])
    if grade not in GRADES or number is None or number < 1:
        return None
    return grade, number


def grade_order(name: str) -> tuple[int, int, int, str]:
    """A sort key for class names: by grade, then number; names without a key last, by name."""
    key = class_key(name)
    if key is None:
        return (1, 0, 0, name)
    return (0, key[0], key[1], name)


class ClassIndex(dict[str, int]):
    """A school's classes, name -> id, that finds a class by any spelling of its name.

    ``index["三(2)班"]``, ``"三(2)班" in index`` and ``index.get("三(2)班")`` find the class
    stored as 三年级2班: by its exact name first, else by :func:`class_key`. A key two of the
    school's classes share (both 三年级2班 and 三(2)班 stored) finds neither of them but by
    its exact name, since which was meant cannot be known.
    """

    def __init__(self, classes: Iterable[tuple[str, int]] = ()) -> None:
        super().__init__(classes)
        names: dict[tuple[int, int], list[str]] = {}
        for name in self:
            key = class_key(name)
            if key is not None:
                names.setdefault(key, []).append(name)
        self._by_key = {key: found[0] for key, found in names.items() if len(found) == 1}

    def stored_name(self, name: str) -> str | None:
        """The name the school stored for the class ``name`` spells, or None."""
        if dict.__contains__(self, name):
            return name
        key = class_key(name)
        return None if key is None else self._by_key.get(key)

    def __missing__(self, name: str) -> int:
        stored = self.stored_name(name)
        if stored is None:
            raise KeyError(name)
        return dict.__getitem__(self, stored)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.stored_name(name) is not None

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        stored = self.stored_name(name)
        return default if stored is None else dict.__getitem__(self, stored)
