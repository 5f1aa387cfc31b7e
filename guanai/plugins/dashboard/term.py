"""Term: the calendar by week, where each workflow stands, and re-planning with a preview."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, DataTable, Static

from guanai import GuanaiError, Label
from guanai.plugins.dashboard.activity_tasks import ActivityTasksScreen
from guanai.plugins.dashboard.widgets import (
    NO_SCHOOL,
    ConfirmScreen,
    DataPanel,
    PlainStatic,
    PlainTable,
    fill,
    percent,
)
from guanai.tui import DayKind, PlanSummary, Scope, TermView, Week, described

STYLES = {
    DayKind.SCHOOL: "",
    DayKind.WEEKEND: "dim",
    DayKind.HOLIDAY: "bold red",
    DayKind.MAKEUP: "bold yellow",
    DayKind.OUTSIDE: "dim strike",
}
LEGEND = Label(
    "[b red]红[/]=放假 [b yellow]黄[/]=调休上班 [reverse]反白[/]=今天  w 流程  p 重新计划",
    "[b red]red[/]=holiday [b yellow]yellow[/]=make-up [reverse]inverse[/]=today  w workflows  p re-plan",
)
PLAN_ROWS = (
    (Label("新建活动", "activities created"), "activities_created"),
    (Label("取消活动", "activities cancelled"), "activities_cancelled"),
    (Label("新建任务", "tasks created"), "created"),
    (Label("更新任务", "tasks updated"), "updated"),
    (Label("恢复任务", "tasks reopened"), "reopened"),
    (Label("取消任务", "tasks cancelled"), "cancelled"),
    (Label("未变任务", "tasks unchanged"), "unchanged"),
    (Label("保留已完成", "done tasks kept"), "kept_done"),
)


def _week_cells(week: Week, today: date) -> tuple[object, ...]:
    days = []
    for n, kind in enumerate(week.days):
        day = week.monday + timedelta(days=n)
        style = STYLES[kind] + (" reverse" if day == today else "")
        days.append(Text(f"{day.day:>2}", style=style.strip()))
    notes = str(Label("、", ", ")).join(dict.fromkeys(str(label) for label in week.notes))
    current = week.monday <= today < week.monday + timedelta(days=7)
    return (f"▶{week.number}" if current else week.number, f"{week.monday:%m-%d}", *days, notes)


def plan_preview(summary: PlanSummary) -> str:
    lines = [f"{label}: {getattr(summary, name)}" for label, name in PLAN_ROWS]
    return "\n".join(lines + [str(w) for w in summary.warnings])


class TermPanel(DataPanel[TermView]):
    panel_id = "term"
    title = Label("学期", "Term")
    order = 20
    DEFAULT_CSS = """
    TermPanel .line { height: 1; padding: 0 1; background: $boost; }
    TermPanel ContentSwitcher { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "switch_view", described(Label("日历/流程", "Calendar/workflows"))),
        Binding("p", "replan", described(Label("重新计划", "Re-plan"))),
        Binding(
            "enter", "open_tasks", described(Label("流程的任务", "Workflow's tasks")), show=False
        ),
    ]

    view: TermView | None = None

    def compose(self) -> ComposeResult:
        yield PlainStatic(id="term-summary", classes="line")
        with ContentSwitcher(initial="weeks"):
            yield PlainTable(id="weeks", cursor_type="row")
            yield PlainTable(id="workflows", cursor_type="row", zebra_stripes=True)
        yield Static(str(LEGEND), classes="line")

    def action_switch_view(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "workflows" if switcher.current == "weeks" else "weeks"
        self.query_one(f"#{switcher.current}", DataTable).focus()

    def on_mount(self) -> None:
        weekdays = Label("一 二 三 四 五 六 日", "Mo Tu We Th Fr Sa Su").get().split()
        self.query_one("#weeks", DataTable).add_columns(
            str(Label("周", "Wk")),
            str(Label("周一", "Mon")),
            *weekdays,
            str(Label("事项", "Events")),
        )
        self.query_one("#workflows", DataTable).add_columns(
            *(
                str(label)
                for label in (
                    Label("流程", "Workflow"),
                    Label("任务", "Tasks"),
                    Label("完成", "Done"),
                    Label("未完成", "Open"),
                    Label("逾期", "Late"),
                    Label("最早未完成", "Earliest open"),
                )
            )
        )

    def fetch(self) -> TermView:
        return self.service.term_view()

    def show(self, data: TermView) -> None:
        self.view = data
        self.flows = {flow.activity_type: flow.title for flow in data.workflows}
        today = self.service.now().date()
        days, passed = data.school_days, data.school_days_passed
        self.query_one("#term-summary", Static).update(
            str(data.term_name)
            + str(Label(f"  上学日 {passed}/{days}", f"  school days {passed}/{days}"))
            + ("" if data.scope is not None else f"  {NO_SCHOOL}")
        )
        table = self.query_one("#weeks", DataTable)
        fill(table, [_week_cells(w, today) for w in data.weeks])
        fill(
            self.query_one("#workflows", DataTable),
            [
                (
                    str(w.title),
                    w.total,
                    f"{w.done} ({percent(w.done, w.total)})",
                    w.open,
                    w.late,
                    f"{w.next_on:%m-%d}" if w.next_on else "-",
                )
                for w in data.workflows
            ],
            list(self.flows),
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "workflows":
            self.action_open_tasks()

    def action_open_tasks(self) -> None:
        """Enter on a workflow: its tasks, where any step can be completed; read again after."""
        if self.query_one(ContentSwitcher).current != "workflows":
            self.action_switch_view()  # from the palette: show the workflows to choose from
            return
        table = self.query_one("#workflows", DataTable)
        if table.row_count == 0:
            return
        name = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        screen = ActivityTasksScreen(self.service, name, self.flows[name])
        self.app.push_screen(screen, lambda changed: self.reload() if changed else None)

    def action_replan(self) -> None:
        """Plan in a transaction that is rolled back, show what would change, then ask."""
        self.act(self._preview, self._ask)

    def _preview(self) -> tuple[Scope, PlanSummary]:
        scope = self.service.dashboard_scope()
        if scope is None:
            raise GuanaiError(NO_SCHOOL)
        return scope, self.service.preview_plan(school_codes=(scope.school_code,))

    def _ask(self, preview: tuple[Scope, PlanSummary]) -> None:
        scope, summary = preview
        name = self.view.term_name if self.view else Label(summary.term_key, summary.term_key)
        question = Label(
            f"按日历重新计划「{name.zh}」？将会：",
            f"Re-plan “{name.en}” from its calendar? It will:",
        )

        def answered(answer: bool | None) -> None:
            if answer:
                schools = (scope.school_code,)
                self.act(lambda: self.service.plan(school_codes=schools), self._planned)

        self.app.push_screen(ConfirmScreen(question, plan_preview(summary)), answered)

    def _planned(self, summary: PlanSummary) -> None:
        self.notify(
            str(
                Label(
                    f"已重新计划：{summary.changed} 处变化",
                    f"Re-planned: {summary.changed} changes",
                )
            )
        )
        self.reload()
