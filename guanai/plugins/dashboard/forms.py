"""The record form of any step, built from the step's ``record`` fields.

One input per :class:`guanai.Field`, chosen by its kind: a line of text, a text area, a date
(today filled in), a whole number, a checkbox, a choice. Each field is checked with its own
parser as the user saves, the error shown under it; then ``service.complete`` validates the
record again, marks the task done and audits it, in one transaction, and tells the plugins
(``task_completed``) after the commit, as from the CLI. Nothing typed is ever logged:
messages name fields, never their values.
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

from guanai import Field, FieldKind, GuanaiError, Label, RecordError
from guanai.plugins.dashboard.widgets import PlainStatic
from guanai.tui import SCHOOL_TIMEZONE, Guanai, described, localize_bindings

SAVE_HINT = Label("Ctrl+S 保存 · Esc 取消", "Ctrl+S save · Esc cancel")


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
    """What the user entered, as :meth:`Field.parse` takes it (None when nothing)."""
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, Checkbox):
        return widget.value
    if isinstance(widget, Select):
        return None if widget.value is Select.NULL else widget.value
    assert isinstance(widget, Input)
    return widget.value


class RecordForm(ModalScreen[bool]):
    """Complete task ``task_id`` (a step of ``activity_type``); dismissed with True if saved."""

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
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self.service = service
        self.task_id = task_id
        self.step_name = step
        self.spec = service.record_form(activity_type, step)
        self.subject = subject

    def compose(self) -> ComposeResult:
        spec = self.spec
        today = self.service.now().astimezone(SCHOOL_TIMEZONE).date().isoformat()
        with Vertical(id="form"):
            yield PlainStatic(f"{spec.activity_title} · {spec.step_title}", classes="form-title")
            if self.subject:
                yield PlainStatic(self.subject)
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

    def _checked(self) -> dict[str, Any] | None:
        """The record as typed, or None after showing each field's error beside it."""
        data: dict[str, Any] = {}
        valid = True
        for field in self.spec.fields:
            raw = raw_value(self.query_one(f"#field-{field.name}", Widget))
            error = self.query_one(f"#error-{field.name}", Static)
            try:
                field.parse(raw)
            except RecordError as problem:
                message = Label(
                    f"{field.label.zh}：{problem.label.zh}", f"{field.label.en}: {problem.label.en}"
                )
                error.update(str(message))
                valid = False
            else:
                error.update("")
                data[field.name] = raw
        return data if valid else None

    def action_save(self) -> None:
        data = self._checked()
        if data is None:
            self.query_one("#form-error", Static).update(
                str(Label("请改正上面标出的字段", "please correct the fields marked above"))
            )
            return
        self.query_one("#form-error", Static).update(str(Label("保存中…", "saving…")))
        self._save(data)

    @work(thread=True, exclusive=True, group="record-form")
    def _save(self, data: dict[str, Any]) -> None:
        try:
            self.service.complete(self.task_id, data)
        except GuanaiError as error:
            self.app.call_from_thread(self.query_one("#form-error", Static).update, str(error))
            return
        self.app.call_from_thread(self.dismiss, True)

    def action_cancel(self) -> None:
        self.dismiss(False)
