"""Setting up the school from the dashboard: create or rename it, add a class, add a teacher.

Opened with ``s`` on the Teachers panel. Each line is one form, sent with Enter from any of
its fields, and each is one call of the service's set-up actions (``create_school`` on a
database without a school, else ``rename_school``; ``add_class``, ``add_teacher``), as
``guanai school create``/``rename``, ``guanai class add`` and ``guanai teacher add`` make it:
the same checks, the same refusals (shown on the status line, in the language of the moment),
the same audit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from guanai import GuanaiError, Label
from guanai.plugins.dashboard.widgets import PlainStatic
from guanai.tui import Guanai, described, localize_bindings

_FORMS: dict[str, tuple[tuple[str, Label], ...]] = {
    "school": (
        ("code", Label("学校代码", "school code")),
        ("name", Label("校名", "school name")),
    ),
    "class": (
        ("name", Label("班级名称", "class name")),
        ("grade", Label("年级（可空）", "grade (optional)")),
        ("head", Label("班主任工号", "head teacher's code")),
    ),
    "teacher": (
        ("code", Label("工号", "code")),
        ("name", Label("姓名", "name")),
        ("phone", Label("电话", "phone")),
        ("subjects", Label("任教学科", "subjects")),
    ),
}
CREATE_SCHOOL = Label("建立学校", "Create the school")
_TITLES = {
    "school": Label("学校改名", "Rename the school"),
    "class": Label("添加班级", "Add a class"),
    "teacher": Label("添加教师", "Add a teacher"),
}


class SchoolSetupScreen(ModalScreen[bool]):
    """Dismissed with True when something was changed (the panel then reloads).
    ``school_code`` None: there is no school yet, and the first line creates it."""

    DEFAULT_CSS = """
    SchoolSetupScreen { align: center middle; }
    SchoolSetupScreen > Vertical {
        width: 78; height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    SchoolSetupScreen .title { text-style: bold; }
    SchoolSetupScreen Horizontal { height: auto; }
    SchoolSetupScreen Input { width: 1fr; }
    SchoolSetupScreen #setup-status { height: auto; color: $text-accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", described(Label("关闭", "Close"))),
    ]

    def __init__(self, service: Guanai, school_code: str | None, school_name: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.service = service
        self.school_code = school_code
        self.school_name = school_name
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield PlainStatic(str(Label("本校设置", "School setup")), classes="title")
            for form, fields in _FORMS.items():
                yield PlainStatic(str(self._title(form)), id=f"{form}-title")
                with Horizontal():
                    for name, placeholder in fields:
                        yield Input(id=f"{form}-{name}", placeholder=str(placeholder))
            yield PlainStatic(id="setup-status")
            yield PlainStatic(
                str(
                    Label(
                        "Enter 提交本行 · Tab 下一项 · Esc 关闭", "Enter sends the line · Esc close"
                    )
                )
            )

    def on_mount(self) -> None:
        self._show_school()
        self.query_one("#school-name" if self.school_code else "#school-code", Input).focus()

    def _title(self, form: str) -> Label:
        return CREATE_SCHOOL if form == "school" and self.school_code is None else _TITLES[form]

    def _show_school(self) -> None:
        """The school's code (fixed once it exists) and name in the first line."""
        code = self.query_one("#school-code", Input)
        code.value, code.disabled = self.school_code or "", self.school_code is not None
        self.query_one("#school-name", Input).value = self.school_name
        self.query_one("#school-title", Static).update(str(self._title("school")))

    def _values(self, form: str) -> dict[str, str]:
        return {
            name: self.query_one(f"#{form}-{name}", Input).value.strip() for name, _ in _FORMS[form]
        }

    def on_input_submitted(self, event: Input.Submitted) -> None:
        form = (event.input.id or "").split("-", 1)[0]
        values = self._values(form)
        school = self.school_code
        creating = form == "school" and school is None
        actions: dict[str, Callable[[], Any]] = {
            "school": (
                (lambda: self.service.create_school(values["code"], values["name"]))
                if creating
                else (lambda: self.service.rename_school(values["name"], school_code=school))
            ),
            "class": lambda: self.service.add_class(
                values["name"],
                grade=values["grade"] or None,
                head_code=values["head"] or None,
                school_code=school,
            ),
            "teacher": lambda: self.service.add_teacher(
                values["code"],
                values["name"],
                phone=values["phone"] or None,
                subjects=values["subjects"] or None,
                school_code=school,
            ),
        }
        self._run(form, actions[form], values if creating else None)

    @work(thread=True, exclusive=True, group="school-setup")
    def _run(self, form: str, action: Callable[[], Any], created: dict[str, str] | None) -> None:
        try:
            written = action()
        except GuanaiError as error:
            self.app.call_from_thread(self._say, error.label)
            return
        self.app.call_from_thread(
            self._done, form, written.created or bool(written.changed), created
        )

    def _done(self, form: str, changed: bool, created: dict[str, str] | None = None) -> None:
        self.changed = self.changed or changed
        title = self._title(form)
        if created is not None:  # the school now exists: the other lines go to it
            self.school_code, self.school_name = created["code"], created["name"]
            self._show_school()
        if not changed:
            self._say(Label(f"{title.zh}：无需更改", f"{title.en}: nothing to change"))
            return
        self._say(Label(f"{title.zh}：已完成", f"{title.en}: done"))
        if form != "school":
            for name, _ in _FORMS[form]:
                self.query_one(f"#{form}-{name}", Input).value = ""
            self.query_one(f"#{form}-{_FORMS[form][0][0]}", Input).focus()

    def _say(self, message: Label) -> None:
        self.query_one("#setup-status", Static).update(str(message))

    def action_close(self) -> None:
        self.dismiss(self.changed)
