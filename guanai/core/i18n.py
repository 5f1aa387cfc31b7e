"""Bilingual text. Every user-facing string is a :class:`Label`; Chinese is the default.

The language is a process-wide setting chosen once at start-up (from the config file, the
``GUANAI_LANG`` environment variable or a CLI flag), so that a label can be rendered anywhere
with ``str(label)`` without threading a language argument through every call.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

_language: Language = "zh"


class Label(NamedTuple):
    """A string in Chinese and English."""

    zh: str
    en: str

    def get(self, language: Language | None = None) -> str:
        return self.en if (language or _language) == "en" else self.zh

    def __str__(self) -> str:
        return self.get()

    def format(self, **values: object) -> Label:
        return Label(self.zh.format(**values), self.en.format(**values))


def set_language(language: str) -> None:
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    _language = language  # type: ignore[assignment]


def yes_no(value: bool) -> Label:
    """是 or 否: a tick box's value as text."""
    return Label("是", "yes") if value else Label("否", "no")
