"""Plans: the school's learning-support and individual education plans, and the key children
who have no current individual plan.

The table lists the plans, open ones first; the plan under the cursor is shown beside it: its
texts, children, teachers, each check's done and open tasks, every version, and its reviews
(each check's record, the children's progress archive). ``n`` opens a plan, ``e`` revises the
highlighted one and ``c`` closes it, as ``guanai caseplan`` does (docs/case_plans.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from guanai import GuanaiError, Label, yes_no
from guanai.plugins.dashboard.case_plan_dialog import CasePlanDialog, ClosePlanDialog
from guanai.plugins.dashboard.widgets import DataPanel, PlainStatic, PlainTable, fill, notify_text
from guanai.tui import (
    CASE_PLAN_KINDS,
    CASE_PLAN_STATUS,
    TASK_STATES,
    ArchiveEntry,
    CasePlanRow,
    CasePlanView,
    described,
    labelled_texts,
    record_labels,
)


@dataclass(frozen=True)
class PlansData:
    plans: list[CasePlanRow]
    without_plan: list[tuple[str, str, str]]  # key targets: (student no, name, class)


class CasePlansPanel(DataPanel[PlansData]):
    panel_id = "case_plans"
    title = Label("帮扶计划", "Plans")
    order = 60
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "open_plan", described(Label("新建", "New plan"))),
        Binding("e", "revise_plan", described(Label("修改", "Revise"))),
        Binding("c", "close_plan", described(Label("结束", "Close"))),
    ]
    DEFAULT_CSS = """
    CasePlansPanel #plans-summary { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    CasePlansPanel Horizontal { height: 1fr; }
    CasePlansPanel #plans { width: auto; max-width: 70%; }
    CasePlansPanel #plan-detail-box { width: 1fr; padding: 0 1; }
    """

    plan: CasePlanView | None = None  # the highlighted plan, once loaded

    def compose(self) -> ComposeResult:
        yield PlainStatic(id="plans-summary")
        with Horizontal():
            yield PlainTable(id="plans", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="plan-detail-box"):
                yield PlainStatic(id="plan-detail")

    def on_mount(self) -> None:
        self.query_one("#plans", DataTable).add_columns(
            *(
                str(label)
                for label in (
                    Label("编号", "No."),
                    Label("类型", "Kind"),
                    Label("标题", "Title"),
                    Label("状态", "Status"),
                    Label("学生", "Children"),
                    Label("下次检查", "Next check"),
                )
            )
        )

    def fetch(self) -> PlansData:
        return PlansData(self.service.case_plans(), self.service.key_children_without_plan())

    def show(self, data: PlansData) -> None:
        opened = sum(1 for plan in data.plans if plan.status == "open")
        summary = Label(f"进行中的计划 {opened} 个", f"{opened} open plans")
        if data.without_plan:
            names = "、".join(f"{name}（{klass}）" for _, name, klass in data.without_plan[:8])
            more = "…" if len(data.without_plan) > 8 else ""
            count = len(data.without_plan)
            summary = Label(
                f"{summary.zh} · {count} 名重点帮扶对象没有个别教育方案：{names}{more}",
                f"{summary.en} · {count} key targets have no individual plan: {names}{more}",
            )
        self.query_one("#plans-summary", Static).update(str(summary))
        table = self.query_one("#plans", DataTable)
        fill(
            table,
            [
                (
                    str(plan.id),
                    str(CASE_PLAN_KINDS[plan.kind]),
                    plan.title,
                    str(CASE_PLAN_STATUS[plan.status]),
                    str(plan.children),
                    str(plan.next_check or "-"),
                )
                for plan in data.plans
            ],
            [str(plan.id) for plan in data.plans],
        )
        if not data.plans:
            self.query_one("#plan-detail", Static).update(
                str(
                    Label(
                        "还没有帮扶计划：按 n 新建（或 guanai caseplan open）",
                        "No plans yet: press n to open one (or guanai caseplan open)",
                    )
                )
            )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.load_plan(int(event.row_key.value))

    @work(thread=True, exclusive=True, group="plan-detail", exit_on_error=False)
    def load_plan(self, plan_id: int) -> None:
        try:
            view = self.service.case_plan(plan_id)
            reviews = self.service.case_plan_archive(plan_id)
        except GuanaiError as error:
            self.app.call_from_thread(self._detail, None, str(error.label))
            return
        labels = record_labels(self.service.registry, view.kind)
        self.app.call_from_thread(self._detail, view, describe(view, reviews, labels))

    def _detail(self, view: CasePlanView | None, text: str) -> None:
        self.plan = view
        self.query_one("#plan-detail", Static).update(text)

    def action_open_plan(self) -> None:
        self.app.push_screen(CasePlanDialog(self.service), self._changed)

    def action_revise_plan(self) -> None:
        if self._open_plan() is not None:
            self.app.push_screen(CasePlanDialog(self.service, self.plan), self._changed)

    def action_close_plan(self) -> None:
        if (plan := self._open_plan()) is not None:
            self.app.push_screen(ClosePlanDialog(self.service, plan), self._changed)

    def _open_plan(self) -> CasePlanView | None:
        """The highlighted plan if it can still change; else say why not."""
        plan = self.plan
        if plan is None:
            notify_text(self, str(Label("请先选择一个计划", "choose a plan first")), "warning")
        elif plan.status != "open":
            notify_text(
                self, str(Label(f"计划 {plan.id} 已结束", f"plan {plan.id} is closed")), "warning"
            )
            return None
        return plan

    def _changed(self, saved: bool | None) -> None:
        if saved:
            self.reload()
            if self.plan is not None:
                self.load_plan(self.plan.id)


def describe(view: CasePlanView, reviews: list[ArchiveEntry], labels: dict[str, Label]) -> str:
    """A plan as the panel shows it beside the table."""
    lines = [f"{view.title} · {CASE_PLAN_KINDS[view.kind]} · {CASE_PLAN_STATUS[view.status]}"]
    lines += [f"{label}：{text}" for label, text in labelled_texts(view)]
    if view.outcome:
        lines.append(str(Label(f"结果：{view.outcome}", f"Outcome: {view.outcome}")))
    children = "、".join(f"{name}（{klass}）" for _, name, klass in view.children)
    teachers = "、".join(name for _, name in view.teachers)
    lines.append(str(Label(f"学生：{children}", f"Children: {children}")))
    lines.append(str(Label(f"教师：{teachers}", f"Teachers: {teachers}")))
    for check in view.checks:
        lines.append(
            str(
                Label(
                    f"检查 {check.due_on}：已完成 {check.done}，未完成 {check.open}",
                    f"Check {check.due_on}: {check.done} done, {check.open} open",
                )
            )
        )
    for version in view.versions:
        note = f" · {version.note}" if version.note else ""
        lines.append(
            str(
                Label(
                    f"第 {version.version} 版 · {version.revised_by}{note}",
                    f"Version {version.version} · {version.revised_by}{note}",
                )
            )
        )
    if reviews:
        lines.append(str(Label("检查记录：", "Reviews:")))
    for entry in reviews:
        state = TASK_STATES.get(entry.state, Label(entry.state, entry.state))
        lines.append(f"{entry.due_on} · {entry.child} · {entry.teacher or ''} · {state}")
        lines += [
            f"    {labels.get(key, Label(key, key))}：{shown(value)}"
            for key, value in (entry.record or {}).items()
        ]
    return "\n".join(lines)


def shown(value: object) -> str:
    """A record's value as the detail shows it (yes/no for a tick box)."""
    if isinstance(value, bool):
        return str(yes_no(value))
    return str(value)
