"""The modal showing a teacher's newly issued phone link: the URL (shown only this once), a QR
code of it for the teacher's phone to scan, and the account made for the teacher, if one
was."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen

from guanai import IssuedTeacherLink, Label
from guanai.plugins.dashboard.widgets import PlainStatic
from guanai.tui import described, qr_text


class LinkScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    LinkScreen { align: center middle; }
    LinkScreen > Horizontal {
        width: 78; height: auto; border: thick $accent; background: $surface;
    }
    LinkScreen #qr { width: auto; color: white; background: black; }
    LinkScreen Vertical { width: 1fr; height: auto; padding: 0 1; }
    LinkScreen .title { text-style: bold; }
    LinkScreen .url { color: $text-accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", described(Label("关闭", "Close"))),
    ]

    def __init__(self, link: IssuedTeacherLink) -> None:
        if link.url is None:
            raise ValueError("a phone link's QR code needs its whole URL (a base URL)")
        super().__init__()
        self.link = link
        self.url = link.url

    def compose(self) -> ComposeResult:
        link = self.link
        with Horizontal():
            yield PlainStatic(qr_text(self.url, border=1).rstrip("\n"), id="qr")
            with Vertical():
                yield PlainStatic(
                    str(
                        Label(
                            f"{link.teacher_name} 的手机链接", f"{link.teacher_name}'s phone link"
                        )
                    ),
                    classes="title",
                )
                yield PlainStatic(
                    str(
                        Label(
                            "用手机扫码即可登录并记录，链接只显示这一次：",
                            "Scan it with the phone to sign in and record. "
                            "The link is shown only this once:",
                        )
                    )
                )
                yield PlainStatic(self.url, classes="url", id="link-url")
                yield PlainStatic(
                    str(
                        Label(
                            f"以账号 {link.account_name} 记录"
                            + ("（新建的教师账号）" if link.account_created else ""),
                            f"records as account {link.account_name}"
                            + (" (a new teacher account)" if link.account_created else ""),
                        )
                    ),
                    id="link-account",
                )
                yield PlainStatic(str(Label("Esc 关闭", "Esc closes")))

    def action_close(self) -> None:
        self.dismiss(None)
