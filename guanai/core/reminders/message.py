"""A reminder as channels see it, built from the bilingual payload stored in the outbox.

The payload is composed once, when the reminder is queued, with every child's name already
masked; it holds both languages, and the message is rendered in the language of the process
that sends it. Channels choose plain text (email), Markdown (group robots) or the structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guanai.core.i18n import Label, Language


def label_payload(label: Label) -> dict[str, str]:
    return {"zh": label.zh, "en": label.en}


def payload_label(value: dict[str, str]) -> Label:
    return Label(value["zh"], value["en"])


@dataclass(frozen=True)
class Section:
    """A heading and its lines; ``more`` counts lines left out to keep a message short."""

    heading: Label
    lines: tuple[Label, ...]
    more: int = 0

    def as_payload(self) -> dict[str, Any]:
        return {
            "heading": label_payload(self.heading),
            "lines": [label_payload(line) for line in self.lines],
            "more": self.more,
        }

    @classmethod
    def from_payload(cls, value: dict[str, Any]) -> Section:
        return cls(
            payload_label(value["heading"]),
            tuple(payload_label(line) for line in value["lines"]),
            int(value.get("more", 0)),
        )


@dataclass(frozen=True)
class Content:
    """What a reminder says, in both languages."""

    title: Label
    sections: tuple[Section, ...]

    def as_payload(self) -> dict[str, Any]:
        return {
            "title": label_payload(self.title),
            "sections": [section.as_payload() for section in self.sections],
        }

    @classmethod
    def from_payload(cls, value: dict[str, Any]) -> Content:
        return cls(
            payload_label(value["title"]),
            tuple(Section.from_payload(s) for s in value.get("sections", [])),
        )


_MORE = Label("……另有 {n} 项", "... and {n} more")
_SIGN_IN = Label(
    "在手机上打开你的任务并记录（本链接一周内有效，请勿转发）：",
    "Open your tasks on your phone and record them (this link works for a week; do not pass "
    "it on):",
)


@dataclass(frozen=True)
class Recipient:
    """Who a reminder is for. ``teacher_id`` None: the school's coordinators' office."""

    teacher_id: int | None
    name: str
    email: str | None
    phone: str | None
    school_id: int
    school_code: str
    school_name: str


@dataclass(frozen=True)
class Message:
    """One reminder to send through one channel.

    ``key`` is the outbox's dedupe key: stable across retries, so a channel can pass it on
    (as an e-mail's Message-ID, say) for a receiving system that drops duplicates.
    """

    id: int
    key: str
    kind: str
    channel: str
    recipient: Recipient
    content: Content
    language: Language
    attempt: int = 1
    """Which try this is (1 for the first)."""
    sign_in_url: str | None = field(default=None, repr=False)
    """The recipient's own sign-in link to their phone page, minted for this delivery (see
    :attr:`guanai.Channel.personal`); never stored. Rendered last by :meth:`text` and
    :meth:`markdown`."""

    @property
    def title(self) -> str:
        return self.content.title.get(self.language)

    def text(self) -> str:
        """Plain text: the title, then each section's heading and its lines."""
        parts = [self.title]
        for section in self.content.sections:
            parts.append("")
            parts.append(section.heading.get(self.language))
            parts += [f"  - {line.get(self.language)}" for line in section.lines]
            if section.more:
                parts.append(f"  {_MORE.format(n=section.more).get(self.language)}")
        if self.sign_in_url:
            parts += ["", _SIGN_IN.get(self.language), self.sign_in_url]
        return "\n".join(parts) + "\n"

    def markdown(self) -> str:
        """Markdown of the subset WeCom and DingTalk group robots render."""
        parts = [f"### {self.title}"]
        for section in self.content.sections:
            parts.append(f"**{section.heading.get(self.language)}**")
            parts += [f"- {line.get(self.language)}" for line in section.lines]
            if section.more:
                parts.append(f"- {_MORE.format(n=section.more).get(self.language)}")
        if self.sign_in_url:
            parts.append(f"[{_SIGN_IN.get(self.language)}]({self.sign_in_url})")
        return "\n".join(parts)
