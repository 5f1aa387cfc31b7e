"""Open, revise or close a case plan from the dashboard, as ``guanai caseplan`` does.

Opening asks for the kind (学习帮扶计划 or 个别教育管理方案), the title, the children and teachers
(student numbers and teacher codes, separated by spaces or commas), the check dates and the
kind's texts. Revising starts from the plan as it is; only what was changed is sent, with the
note saying why, and the service keeps the old version. Closing asks for the outcome. Every
save is one service action: the access rule, the checks' tasks and the history are the
service's, so the dialog holds no rule of its own beyond reading what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static, TextArea

from guanai import GuanaiError, Label
from guanai.plugins.dashboard.widgets import PlainStatic, notify_text
from guanai.tui import (
    CASE_PLAN_KINDS,
    CASE_PLAN_TEXTS,
    CasePlanView,
    Guanai,
    PlanChanges,
    described,
    localize_bindings,
)

_SEPARATORS = re.compile(r"[\s,，、；;]+")


class InputError(GuanaiError):
    """What was typed in a field cannot be read: the message names the field."""


def codes(text: str) -> list[str]:
    """Student numbers or teacher codes as typed: separated by spaces, commas or 、."""
    return [part for part in _SEPARATORS.split(text.strip()) if part]


def check_dates(text: str) -> list[date]:
    """Check dates as typed (2026-10-20 2026-11-20)."""
    days = []
    for part in codes(text):
        try:
            days.append(date.fromisoformat(part))
        except ValueError:
            raise InputError(
                Label(
                    f"检查日期「{part}」应写成 2026-10-20",
                    f"check date '{part}' should read 2026-10-20",
                )
            ) from None
    return days


class PlanForm(ModalScreen[bool]):
    """A plan's form: Ctrl+S saves, Esc cancels, a refusal is shown under the form."""

    DEFAULT_CSS = """
    PlanForm { align: center middle; }
    PlanForm #plan-form { width: 84; height: auto; max-height: 95%; border: round $accent;
        padding: 0 1; }
    PlanForm .title { text-style: bold; }
    PlanForm TextArea { height: 3; }
    PlanForm #plan-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", described(Label("保存", "Save"))),
        Binding("escape", "cancel", described(Label("取消", "Cancel"))),
    ]

    def __init__(self, service: Guanai) -> None:
        super().__init__()
        localize_bindings(self)
        self.service = service

    def action_cancel(self) -> None:
        self.dismiss(False)

    def _error(self, message: Label) -> None:
        self.query_one("#plan-error", Static).update(str(message))


class CasePlanDialog(PlanForm):
    """Opens a plan (``plan`` None) or revises ``plan``; dismissed with True when saved."""

    def __init__(self, service: Guanai, plan: CasePlanView | None = None) -> None:
        super().__init__(service)
        self.plan = plan

    def compose(self) -> ComposeResult:
        plan = self.plan
        kind = plan.kind if plan is not None else "learning"
        with VerticalScroll(id="plan-form"):
            if plan is None:
                yield PlainStatic(str(Label("新建计划", "Open a plan")), classes="title")
                yield PlainStatic(str(Label("类型", "Kind")))
                yield Select[str](
                    [(str(label), key) for key, label in CASE_PLAN_KINDS.items()],
                    value=kind,
                    allow_blank=False,
                    id="plan-kind",
                )
            else:
                yield PlainStatic(
                    str(Label("修改计划", "Revise plan"))
                    + f" {plan.id} · {CASE_PLAN_KINDS[plan.kind]}",
                    classes="title",
                )
            yield PlainStatic(str(Label("标题", "Title")))
            yield Input(plan.title if plan else "", id="plan-title")
            yield PlainStatic(str(Label("学生学号（空格分隔）", "Children's student nos.")))
            yield Input(
                " ".join(no for no, _, _ in plan.children) if plan else "", id="plan-children"
            )
            yield PlainStatic(str(Label("教师工号（空格分隔）", "Teacher codes")))
            yield Input(
                " ".join(code for code, _ in plan.teachers) if plan else "", id="plan-teachers"
            )
            yield PlainStatic(
                str(Label("检查日期（如 2026-10-20 2026-11-20）", "Check dates (2026-10-20 …)"))
            )
            yield Input(
                " ".join(str(check.due_on) for check in plan.checks) if plan else "",
                id="plan-checks",
            )
            for text_kind, fields in CASE_PLAN_TEXTS.items():
                for key, label in fields:
                    shown = text_kind == kind
                    caption = PlainStatic(str(label), classes=f"text-{text_kind}")
                    area = TextArea(
                        plan.texts.get(key, "") if plan else "",
                        id=f"plan-text-{key}",
                        classes=f"text-{text_kind}",
                    )
                    caption.display = area.display = shown
                    yield caption
                    yield area
            if plan is not None:
                yield PlainStatic(str(Label("修改说明", "What changed and why")))
                yield Input(id="plan-note")
            yield PlainStatic(str(Label("Ctrl+S 保存 · Esc 取消", "Ctrl+S save · Esc cancel")))
            yield PlainStatic(id="plan-error")

    def on_select_changed(self, event: Select.Changed) -> None:
        """Show the texts of the chosen kind only."""
        if event.select.id == "plan-kind":
            for text_kind in CASE_PLAN_TEXTS:
                for widget in self.query(f".text-{text_kind}"):
                    widget.display = text_kind == event.value

    def action_save(self) -> None:
        try:
            action = self._request()
        except InputError as error:
            self._error(error.label)
            return
        if action is None:
            self._error(Label("计划没有变化", "the plan is unchanged"))
            return
        self._save(action)

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _texts(self, kind: str) -> dict[str, str]:
        return {
            key: self.query_one(f"#plan-text-{key}", TextArea).text.strip()
            for key, _ in CASE_PLAN_TEXTS[kind]
        }

    def _request(self) -> Callable[[], CasePlanView] | None:
        """The service call the form asks for; None when a revision changes nothing."""
        title = self._value("plan-title")
        children = codes(self._value("plan-children"))
        teachers = codes(self._value("plan-teachers"))
        checks = check_dates(self._value("plan-checks"))
        plan = self.plan
        if plan is None:
            kind = str(self.query_one("#plan-kind", Select).value)
            texts = self._texts(kind)
            return lambda: self.service.open_case_plan(
                kind, title=title, children=children, teachers=teachers, texts=texts, checks=checks
            )
        texts = {
            key: text for key, text in self._texts(plan.kind).items() if text != plan.texts.get(key)
        }
        changes = PlanChanges(
            title if title != plan.title else None,
            children if children != [no for no, _, _ in plan.children] else None,
            teachers if teachers != [code for code, _ in plan.teachers] else None,
            texts or None,
            checks if checks != [check.due_on for check in plan.checks] else None,
        )
        if changes == PlanChanges():
            return None
        note = self._value("plan-note") or None
        return lambda: self.service.revise_case_plan(plan.id, changes, note=note)

    @work(thread=True, exclusive=True, group="plan-save")
    def _save(self, action: Callable[[], CasePlanView]) -> None:
        try:
            view = action()
        except GuanaiError as error:
            self.app.call_from_thread(self._error, error.label)
            return
        self.app.call_from_thread(self._done, view)

    def _done(self, view: CasePlanView) -> None:
        notify_text(
            self.app,
            str(
                Label(
                    f"计划 {view.id}「{view.title}」已保存（第 {view.versions[-1].version} 版）",
                    f"plan {view.id} '{view.title}' saved (version {view.versions[-1].version})",
                )
            ),
        )
        self.dismiss(True)


class ClosePlanDialog(PlanForm):
    """Closes ``plan`` with the outcome typed; dismissed with True when closed."""

    def __init__(self, service: Guanai, plan: CasePlanView) -> None:
        super().__init__(service)
        self.plan = plan

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="plan-form"):
            yield PlainStatic(
                str(Label("结束计划", "Close plan")) + f" {self.plan.id} · {self.plan.title}",
                classes="title",
            )
            yield PlainStatic(
                str(Label("帮扶结果（未完成的检查将取消）", "Outcome (open checks are cancelled)"))
            )
            yield TextArea(id="plan-outcome")
            yield PlainStatic(str(Label("Ctrl+S 保存 · Esc 取消", "Ctrl+S save · Esc cancel")))
            yield PlainStatic(id="plan-error")

    def on_mount(self) -> None:
        self.query_one("#plan-outcome", TextArea).focus()

    def action_save(self) -> None:
        self._close(self.query_one("#plan-outcome", TextArea).text.strip())

    @work(thread=True, exclusive=True, group="plan-close")
    def _close(self, outcome: str) -> None:
        try:
            self.service.close_case_plan(self.plan.id, outcome)
        except GuanaiError as error:
            self.app.call_from_thread(self._error, error.label)
            return
        self.app.call_from_thread(self._done)

    def _done(self) -> None:
        notify_text(
            self.app,
            str(Label(f"计划 {self.plan.id} 已结束", f"plan {self.plan.id} is closed")),
        )
        self.dismiss(True)
