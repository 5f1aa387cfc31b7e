"""Typed reading of a term calendar's TOML tables, every error naming the file and key."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from guanai.core.errors import CalendarError
from guanai.core.i18n import Label


def calendar_error(source: Path, key: str, zh: str, en: str) -> CalendarError:
    return CalendarError(
        Label(f"日历文件 {source}，{key}：{zh}", f"calendar file {source}, {key}: {en}")
    )


class TableReader:
    """Typed access to a TOML table that names the file and key in every error."""

    def __init__(self, source: Path, data: dict[str, Any], where: str) -> None:
        self.source, self.data, self.where = source, data, where

    def key(self, name: str) -> str:
        if not name:
            return self.where
        return f"{self.where}.{name}" if self.where else name

    def fail(self, name: str, zh: str, en: str) -> CalendarError:
        return calendar_error(self.source, self.key(name), zh, en)

    def only(self, allowed: Iterable[str]) -> None:
        """Refuse a key the table may not have (a typo would otherwise be ignored)."""
        known = tuple(allowed)
        for name in self.data:
            if name not in known:
                raise self.fail(
                    name,
                    f"不认识的键（可用：{', '.join(known)}）",
                    f"unknown key (the keys: {', '.join(known)})",
                )

    def get(self, name: str, kind: type, default: Any = ..., what: Label | None = None) -> Any:
        if name not in self.data:
            if default is ...:
                raise self.fail(name, "缺少此项", "is missing")
            return default
        value = self.data[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            what = what or Label(kind.__name__, kind.__name__)
            raise self.fail(
                name, f"应为{what.zh}，实为 {value!r}", f"must be {what.en}, not {value!r}"
            )
        return value

    def text(self, name: str, default: Any = ...) -> str:
        """A string that is not blank."""
        value = self.get(name, str, default, Label("文字", "text"))
        if value is not default and not value.strip():
            raise self.fail(name, "不能为空", "must not be blank")
        return value

    def date(self, name: str, default: Any = ...) -> date:
        value = self.get(
            name, date, default, Label("日期（如 2026-09-01）", "a date like 2026-09-01")
        )
        if isinstance(value, datetime):
            raise self.fail(name, "应为日期而非时间", "must be a date, not a date-time")
        return value

    def label(self, zh: str = "name", en: str = "name_en") -> Label:
        return Label(self.text(zh), self.text(en))

    def tables(self, name: str) -> Iterator[TableReader]:
        items = self.get(name, list, [])
        for i, item in enumerate(items):
            where = self.key(f"{name}[{i}]")
            if not isinstance(item, dict):
                raise calendar_error(self.source, where, "应为表", "must be a table")
            yield TableReader(self.source, item, where)

    def range(self, first: str, last: str) -> tuple[date, date]:
        start, end = self.date(first), self.date(last)
        if end < start:
            raise self.fail(last, f"早于 {first}", f"is before {first}")
        return start, end
