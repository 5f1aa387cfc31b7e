"""Change one child's pairing (结对帮扶): a new pairing teacher, a new buddy, or both.

The buddy is a classmate on the roster, by student number, or one who is not, by name.

The change is ``service.set_pairing``, exactly as ``guanai pair NO --teacher CODE --buddy NO``
runs it: the current pairing is ended and kept, the change is kept in the record's history
with the acting user, and the child's open talks follow the new teacher, all in one
transaction. Only the coordinator may change pairings (the service refuses anyone else).

Like ``guanai pair --auto``, it shows each teacher's load before it writes: every teacher in
the list with their children now and the cap (``[pairing] max_children_per_teacher``), and
for the chosen one their load after the change. A teacher at the cap is refused (by the
service) unless "over the cap" is ticked, as ``--over-cap`` does.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Select, Static

from guanai import GuanaiError, Label
from guanai.plugins.dashboard.widgets import PlainStatic, notify_text
from guanai.tui import (
    Guanai,
    PairingChange,
    PairingChoices,
    PairingLoad,
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
        self.loads: dict[str, PairingLoad] = {}
        self.current: str | None = None

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
            yield PlainStatic(id="pairing-load")
            yield PlainStatic(str(Label("学习帮手学号（选填）", "Buddy's student no. (optional)")))
            yield Input(id="pairing-buddy")
            yield PlainStatic(
                str(
                    Label(
                        "或：不在名单上的同班同学姓名（选填）",
                        "or: a classmate not on the roster, by name (optional)",
                    )
                )
            )
            yield Input(id="pairing-buddy-name")
            yield Checkbox(
                str(Label("超出上限也结对（--over-cap）", "Pair even over the cap (--over-cap)")),
                id="pairing-over-cap",
            )
            yield PlainStatic(str(Label("Ctrl+S 保存 · Esc 取消", "Ctrl+S save · Esc cancel")))
            yield PlainStatic(id="pairing-error")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, group="pairing-dialog")
    def load(self) -> None:
        """The school's teachers with their loads, and the child's current pairing."""
        try:
            choices = self.service.pairing_choices(self.row)
            loads = self.service.pairing_loads(self.row.school_code)
        except GuanaiError as error:
            self.app.call_from_thread(self._error, error.label)
            return
        self.app.call_from_thread(self._show, choices, loads)

    def _show(self, choices: PairingChoices, loads: list[PairingLoad]) -> None:
        self.loads = {load.code: load for load in loads}
        self.current = choices.teacher_code
        select_ = self.query_one("#pairing-teacher", Select)
        select_.set_options([(self._option(code, name), code) for code, name in choices.teachers])
        none = str(Label("无", "none"))
        if choices.teacher_code is None:
            text = Label("尚未结对", "not paired yet")
        else:
            select_.value = choices.teacher_code
            buddy = choices.buddy_no or choices.buddy_name or none
            text = Label(
                f"当前：帮扶教师 {choices.teacher_code}，学习帮手 {buddy}",
                f"Now: pairing teacher {choices.teacher_code}, buddy {buddy}",
            )
        self.query_one("#pairing-current", Static).update(str(text))
        self._preview(choices.teacher_code)
        select_.focus()

    def _option(self, code: str, name: str) -> str:
        load = self.loads.get(code)
        if load is None:
            return f"{code} {name}"
        return f"{code} {name} · {load.before}/{load.cap}"

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "pairing-teacher":
            value = event.value
            self._preview(None if value is Select.NULL else str(value))

    def _preview(self, code: str | None) -> None:
        """The chosen teacher's children now and after the change, against the cap."""
        load = self.loads.get(code) if code is not None else None
        if load is None:
            self.query_one("#pairing-load", Static).update("")
            return
        after = load.before + (0 if code == self.current else 1)
        text = Label(
            f"{load.code}：现有 {load.before} 名，结对后 {after} 名，上限 {load.cap}",
            f"{load.code}: {load.before} children now, {after} after, cap {load.cap}",
        )
        if after > load.cap:
            text = Label(
                f"{text.zh}（超过上限：需勾选“超出上限也结对”）",
                f'{text.en} (over the cap: tick "pair even over the cap")',
            )
        self.query_one("#pairing-load", Static).update(str(text))

    def action_save(self) -> None:
        teacher = self.query_one("#pairing-teacher", Select).value
        buddy = self.query_one("#pairing-buddy", Input).value.strip()
        buddy_name = self.query_one("#pairing-buddy-name", Input).value.strip()
        over_cap = self.query_one("#pairing-over-cap", Checkbox).value
        self._save(
            None if teacher is Select.NULL else str(teacher),
            buddy or None,
            buddy_name or None,
            over_cap,
        )

    @work(thread=True, exclusive=True, group="pairing-save")
    def _save(
        self, teacher: str | None, buddy: str | None, buddy_name: str | None, over_cap: bool
    ) -> None:
        row = self.row
        try:
            change = self.service.set_pairing(
                row.student_no,
                teacher,
                buddy_no=buddy,
                buddy_name=buddy_name,
                school_code=row.school_code,
                over_cap=over_cap,
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
