"""Change one child's pairing (结对帮扶): a new pairing teacher, a new buddy, or both.

The change is ``service.set_pairing``, exactly as ``guanai pair NO --teacher CODE --buddy NO``
runs it: the current pairing is ended and kept, the change is kept in the record's history
with the acting user, and the child's open talks follow the new teacher, all in one
transaction. Only the coordinator may change pairings (the service refuses anyone else).
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from guanai import GuanaiError, Label
from guanai.plugins.dashboard.widgets import PlainStatic, notify_text
from guanai.tui import (
    Guanai,
    PairingChange,
    PairingChoices,
    RosterRow,
    described,
    localize_bindings,
)

SOURCE = "dashboard"


class PairingDialog(ModalScreen[bool]):
    """Dismissed with True when the pairing changed."""

    DEFAULT_CSS = """
    PairingDialog { align: center middle; }
    PairingDialog #pairing { width: 70; height: auto; border: round $accent; padding: 0 1; }
    PairingDialog .title { text-style: bold; }
    PairingDialog #pairing-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", described(Label("保存", "Save"))),
        Binding("escape", "cancel", described(Label("取消", "Cancel"))),
    ]

    def __init__(self, service: Guanai, row: RosterRow) -> None:
        super().__init__()
        localize_bindings(self)
        self.service = service
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical(id="pairing"):
            yield PlainStatic(
                str(Label("修改结对", "Change pairing")) + f" · {row.name} · {row.student_no}",
                classes="title",
            )
            yield PlainStatic(str(Label("加载中…", "Loading…")), id="pairing-current")
            yield PlainStatic(str(Label("帮扶教师", "Pairing teacher")))
            yield Select[str]([], id="pairing-teacher", prompt=str(Label("请选择", "choose")))
            yield PlainStatic(str(Label("学习帮手学号（选填）", "Buddy's student no. (optional)")))
            yield Input(id="pairing-buddy")
            yield PlainStatic(str(Label("Ctrl+S 保存 · Esc 取消", "Ctrl+S save · Esc cancel")))
            yield PlainStatic(id="pairing-error")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, group="pairing-dialog")
    def load(self) -> None:
        """The school's teachers and the child's current pairing teacher and buddy."""
        try:
            choices = self.service.pairing_choices(self.row)
        except GuanaiError as error:
            self.app.call_from_thread(self._error, error.label)
            return
        self.app.call_from_thread(self._show, choices)

    def _show(self, choices: PairingChoices) -> None:
        select_ = self.query_one("#pairing-teacher", Select)
        select_.set_options([(f"{code} {name}", code) for code, name in choices.teachers])
        none = str(Label("无", "none"))
        if choices.teacher_code is None:
            text = Label("尚未结对", "not paired yet")
        else:
            select_.value = choices.teacher_code
            buddy = choices.buddy_no or none
            text = Label(
                f"当前：帮扶教师 {choices.teacher_code}，学习帮手 {buddy}",
                f"Now: pairing teacher {choices.teacher_code}, buddy {buddy}",
            )
        self.query_one("#pairing-current", Static).update(str(text))
        select_.focus()

    def action_save(self) -> None:
        teacher = self.query_one("#pairing-teacher", Select).value
        buddy = self.query_one("#pairing-buddy", Input).value.strip()
        self._save(None if teacher is Select.NULL else str(teacher), buddy or None)

    @work(thread=True, exclusive=True, group="pairing-save")
    def _save(self, teacher: str | None, buddy: str | None) -> None:
        row = self.row
        try:
            change = self.service.set_pairing(
                row.student_no,
                teacher,
                buddy_no=buddy,
                school_code=row.school_code,
                source=SOURCE,
            )
        except GuanaiError as error:
            self.app.call_from_thread(self._error, error.label)
            return
        self.app.call_from_thread(self._done, change)

    def _error(self, message: Label) -> None:
        self.query_one("#pairing-error", Static).update(str(message))

    def _done(self, change: PairingChange) -> None:
        if not change.changed:
            self._error(Label("结对没有变化", "the pairing is unchanged"))
            return
        handed = change.handover.reassigned
        notify_text(
            self.app,
            str(
                Label(
                    f"学号 {change.student_no}：帮扶教师 {change.teacher_after}，"
                    f"{handed} 项任务转给新的帮扶教师",
                    f"student {change.student_no}: pairing teacher {change.teacher_after}, "
                    f"{handed} tasks handed over",
                )
            ),
        )
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
