"""The feed modals: asking for the server address the teachers' phones reach, and showing a
newly issued feed (its link, once, and a QR code to scan)."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from guanai import Label, is_loopback
from guanai.plugins.dashboard.widgets import PlainStatic
from guanai.tui import described, qr_text


def base_url_problem(text: str) -> Label | None:
    """Why ``text`` cannot be where teachers' phones fetch their feeds, or None.

    A loopback address (localhost, 127.x, ::1) is refused: a phone that scans it asks itself.
    """
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Label(
            "请输入 http:// 或 https:// 开头的服务器地址",
            "enter the server's address, starting with http:// or https://",
        )
    host = parts.hostname
    if is_loopback(text):
        return Label(
            f"{host} 是本机地址，教师的手机无法访问：请填写局域网或公网地址",
            f"{host} is this computer only; teachers' phones cannot reach it: "
            "enter the address on the school network or the internet",
        )
    return None


class BaseUrlScreen(ModalScreen[str | None]):
    """Ask where ``guanai serve`` is reached; dismissed with the address, or None."""

    DEFAULT_CSS = """
    BaseUrlScreen { align: center middle; }
    BaseUrlScreen > Vertical {
        width: 70; height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    BaseUrlScreen .title { text-style: bold; }
    BaseUrlScreen #base-url-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", described(Label("取消", "Cancel"))),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield PlainStatic(str(Label("订阅服务器地址", "Feed server address")), classes="title")
            yield PlainStatic(
                str(
                    Label(
                        "未设置 [feeds] base_url。请输入教师手机能访问的地址（仅本次使用）：",
                        "[feeds] base_url is not set. Enter the address teachers' phones "
                        "reach (for this session only):",
                    )
                ),
            )
            yield Input(id="base-url", placeholder="https://guanai.example.edu.cn")
            yield PlainStatic(id="base-url-error")
            yield PlainStatic(str(Label("Enter 确定 · Esc 取消", "Enter OK · Esc cancel")))

    def on_mount(self) -> None:
        self.query_one("#base-url", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip().rstrip("/")
        problem = base_url_problem(text)
        if problem is not None:
            self.query_one("#base-url-error", Static).update(str(problem))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


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
            yield PlainStatic(qr_text(self.webcal, border=1).rstrip("\n"), id="qr")
            with Vertical():
                yield PlainStatic(
                    str(Label(f"{self.teacher} 的日历订阅", f"{self.teacher}'s calendar feed")),
                    classes="title",
                )
                yield PlainStatic(
                    str(
                        Label(
                            "链接只显示这一次，请现在扫码或复制：",
                            "The link is shown only this once:",
                        )
                    )
                )
                yield PlainStatic(self.url, classes="url", id="feed-url")
                yield PlainStatic(self.webcal, classes="url")
                yield PlainStatic(str(Label("Esc 关闭", "Esc closes")))

    def action_close(self) -> None:
        self.dismiss(None)
