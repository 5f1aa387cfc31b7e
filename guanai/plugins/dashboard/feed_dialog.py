"""The modal that shows a newly issued feed: its link, once, and a QR code to scan."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from guanai.core.i18n import Label
from guanai.plugins.ical import qr_text
from guanai.tui import described


class FeedScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    FeedScreen { align: center middle; }
    FeedScreen > Horizontal {
        width: 78; height: auto; border: thick $accent; background: $surface;
    }
    FeedScreen #qr { width: auto; color: white; background: black; }
    FeedScreen Vertical { width: 1fr; height: auto; padding: 0 1; }
    FeedScreen .title { text-style: bold; }
    FeedScreen .url { color: $text-accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", described(Label("关闭", "Close"))),
    ]

    def __init__(self, teacher: str, url: str, webcal: str) -> None:
        super().__init__()
        self.teacher, self.url, self.webcal = teacher, url, webcal

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static(qr_text(self.webcal, border=1).rstrip("\n"), id="qr")
            with Vertical():
                yield Static(
                    str(Label(f"{self.teacher} 的日历订阅", f"{self.teacher}'s calendar feed")),
                    classes="title",
                )
                yield Static(
                    str(
                        Label(
                            "链接只显示这一次，请现在扫码或复制：",
                            "The link is shown only this once:",
                        )
                    )
                )
                yield Static(self.url, classes="url", id="feed-url")
                yield Static(self.webcal, classes="url")
                yield Static(str(Label("Esc 关闭", "Esc closes")))

    def action_close(self) -> None:
        self.dismiss(None)
