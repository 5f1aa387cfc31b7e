"""The record form of any step, built from the step's ``record`` fields.

One input per :class:`guanai.Field`, chosen by its kind: a line of text, a text area, a date
(today filled in; any form the roster takes), a whole number, a checkbox, a choice. Saving
hands the record to ``service.complete``, which checks it as the CLI's ``complete`` does, with
the same code and messages: every problem is shown at once, each under its field
(:class:`guanai.RecordProblems`); a date on a day without school asks to be confirmed by
saving again (:class:`guanai.DayOffError`). A valid record marks the task done and is audited,
in one transaction, and the plugins are told (``task_completed``) after the commit. Nothing
typed is ever logged: messages name fields, never their values.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from guanai import (
    DayOffError,
    Field,
    FieldError,
    FieldKind,
    GuanaiError,
    Label,
    RecordProblems,
)
from guanai.plugins.dashboard.widgets import PlainStatic
from guanai.tui import SCHOOL_TIMEZONE, Guanai, described, localize_bindings

SAVE_HINT = Label("Ctrl+S 保存 · Esc 取消", "Ctrl+S save · Esc cancel")
CORRECT = Label("请改正上面标出的字段", "please correct the fields marked above")
CONFIRM = Label("再按 Ctrl+S 确认保存", "press Ctrl+S again to save it so")


def field_widget(field: Field, today: str) -> Widget:
    """The input for one field; its id is ``field-<name>``."""
    widget_id = f"field-{field.name}"
    match field.kind:
        case FieldKind.LONG_TEXT:
            return TextArea(id=widget_id, classes="long")
        case FieldKind.BOOLEAN:
            return Checkbox(str(field.label), id=widget_id)
        case FieldKind.CHOICE:
            options = [(choice, choice) for choice in field.choices]
            return Select(options, id=widget_id, prompt=str(Label("请选择", "choose")))
        case FieldKind.INTEGER:
            return Input(id=widget_id, type="integer", placeholder="0")
        case FieldKind.DATE:
            return Input(today, id=widget_id, placeholder="YYYY-MM-DD")
        case _:
            return Input(id=widget_id)


def raw_value(widget: Widget) -> Any:
    """What the user entered, as a record's value (None when nothing)."""
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, Checkbox):
        return widget.value
    if isinstance(widget, Select):
        return None if widget.value is Select.NULL else widget.value
    assert isinstance(widget, Input)
    return widget.value


class RecordForm(ModalScreen[bool]):
    """Complete task ``task_id`` (a step of ``activity_type``); dismissed with True if saved.

    ``subject`` says whom it is for, ``fills`` which task it fills (from a child's card)."""

    DEFAULT_CSS = """
    RecordForm { align: center middle; }
    RecordForm #form { width: 76; max-height: 22; border: round $accent; padding: 0 1; }
    RecordForm .form-title { text-style: bold; }
    RecordForm .field-label { margin-top: 1; }
    RecordForm .field-error, RecordForm #form-error { color: $error; height: auto; }
    RecordForm TextArea.long { height: 4; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", described(Label("保存", "Save"))),
        Binding("escape", "cancel", described(Label("取消", "Cancel"))),
    ]

    def __init__(
        self,
        service: Guanai,
        task_id: int,
        activity_type: str,
        step: str,
        *,
        subject: str = "",
        fills: str = "",
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self.service = service
        self.task_id = task_id
        self.step_name = step
        self.spec = service.record_form(activity_type, step)
        self.subject = subject
        self.fills = fills  # which task this is, when opened from a child's card
        self.day_off_asked: dict[str, Any] | None = None  # the record a day off was asked of

    def compose(self) -> ComposeResult:
        spec = self.spec
        today = self.service.now().astimezone(SCHOOL_TIMEZONE).date().isoformat()
        with Vertical(id="form"):
            yield PlainStatic(f"{spec.activity_title} · {spec.step_title}", classes="form-title")
            if self.subject:
                yield PlainStatic(self.subject)
            if self.fills:
                yield PlainStatic(self.fills, id="form-fills")
            yield PlainStatic(str(SAVE_HINT))
            with VerticalScroll():
                for field in self.spec.fields:
                    if field.kind is not FieldKind.BOOLEAN:
                        mark = "" if field.required else str(Label("（选填）", " (optional)"))
                        yield PlainStatic(f"{field.label}{mark}", classes="field-label")
                    yield field_widget(field, today)
                    yield PlainStatic(id=f"error-{field.name}", classes="field-error")
            yield PlainStatic(id="form-error")

    def on_mount(self) -> None:
        if self.spec.fields:
            self.query_one(f"#field-{self.spec.fields[0].name}").focus()

    def _typed(self) -> dict[str, Any]:
        return {
            field.name: raw_value(self.query_one(f"#field-{field.name}", Widget))
            for field in self.spec.fields
        }

    def action_save(self) -> None:
        data = self._typed()
        self.query_one("#form-error", Static).update(str(Label("保存中…", "saving…")))
        self._save(data, day_off_ok=data == self.day_off_asked)

    @work(thread=True, exclusive=True, group="record-form")
    def _save(self, data: dict[str, Any], *, day_off_ok: bool) -> None:
        try:
            self.service.complete(self.task_id, data, day_off_ok=day_off_ok)
        except RecordProblems as problems:
            self.app.call_from_thread(self._mark, problems)
            return
        except DayOffError as error:
            self.app.call_from_thread(self._ask_day_off, data, error)
            return
        except GuanaiError as error:
            self.app.call_from_thread(self._show, error.label, {})
            return
        self.app.call_from_thread(self.dismiss, True)

    def _mark(self, problems: RecordProblems) -> None:
        """Each refused field's reason under it; what names no field above the form's end."""
        reasons = problems.reasons()
        others = [p.label for p in problems.problems if not isinstance(p, FieldError)]
        zh = "；".join([*(o.zh for o in others), CORRECT.zh])
        en = "; ".join([*(o.en for o in others), CORRECT.en])
        self._show(Label(zh, en), reasons)

    def _ask_day_off(self, data: dict[str, Any], error: DayOffError) -> None:
        self.day_off_asked = data
        self._show(
            Label(f"{error.label.zh}：{CONFIRM.zh}", f"{error.label.en}: {CONFIRM.en}"),
            {name: Label("不是上学日", "not a school day") for name in error.fields},
        )

    def _show(self, message: Label, reasons: dict[str, Label]) -> None:
        for field in self.spec.fields:
            reason = reasons.get(field.name)
            self.query_one(f"#error-{field.name}", Static).update(str(reason) if reason else "")
        self.query_one("#form-error", Static).update(str(message))

    def action_cancel(self) -> None:
        self.dismiss(False)
