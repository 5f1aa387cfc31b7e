"""Term: the calendar by week, where each workflow stands, and re-planning with a preview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from sqlalchemy.orm import Session
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, DataTable, Static

from guanai.core.calendar import TermCalendar
from guanai.core.dashboard_data import Scope
from guanai.core.dashboard_data.term import (
    DayKind,
    Week,
    Workflow,
    activity_starts,
    weeks,
    workflows,
)
from guanai.core.i18n import Label
from guanai.core.planner import PlanSummary, plan_term
from guanai.plugins.dashboard.activity_tasks import ActivityTasksScreen
from guanai.plugins.dashboard.widgets import NO_SCHOOL, ConfirmScreen, DataPanel, fill, percent
from guanai.tui import described

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


@dataclass(frozen=True)
class TermData:
    scope: Scope | None
    calendar: TermCalendar
    weeks: tuple[Week, ...] = ()
    workflows: tuple[Workflow, ...] = ()


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


class TermPanel(DataPanel[TermData]):
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

    def compose(self) -> ComposeResult:
        yield Static(id="term-summary", classes="line")
        with ContentSwitcher(initial="weeks"):
            yield DataTable(id="weeks", cursor_type="row")
            yield DataTable(id="workflows", cursor_type="row", zebra_stripes=True)
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

    def fetch(self, session: Session) -> TermData:
        calendar = self.dashboard.calendar()
        scope = self.scope(session)
        if scope is None or scope.term_id is None:
            return TermData(scope, calendar, tuple(weeks(calendar, {})))
        registry = self.dashboard.registry
        return TermData(
            scope,
            calendar,
            tuple(weeks(calendar, activity_starts(session, scope, registry))),
            tuple(workflows(session, scope, registry)),
        )

    def show(self, data: TermData) -> None:
        self.flows = {flow.activity_type: flow.title for flow in data.workflows}
        today = self.dashboard.now().date()
        days = data.calendar.school_days()
        passed = sum(1 for d in days if d <= today)
        self.query_one("#term-summary", Static).update(
            str(data.calendar.name)
            + str(Label(f"  上学日 {passed}/{len(days)}", f"  school days {passed}/{len(days)}"))
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
        screen = ActivityTasksScreen(self.dashboard, name, self.flows[name])
        self.app.push_screen(screen, lambda changed: self.reload() if changed else None)

    def action_replan(self) -> None:
        """Plan in a transaction that is rolled back, show what would change, then ask."""
        self.run_worker(self._preview, thread=True, group="act", exit_on_error=False)

    def _plan(self, session: Session, calendar: TermCalendar, scope: Scope) -> PlanSummary:
        return plan_term(
            session,
            calendar,
            self.dashboard.registry,
            actor=self.dashboard.actor,
            now=self.dashboard.now(),
            max_per_teacher_per_day=self.dashboard.settings.max_tasks_per_teacher_per_day,
            school_ids=[scope.school_id],
        )

    def _preview(self) -> None:
        calendar = self.dashboard.calendar()
        with self.dashboard.read() as session:  # read() rolls back: a dry run
            scope = self.scope(session)
            if scope is None:
                self.app.call_from_thread(self.notify, str(NO_SCHOOL), severity="error")
                return
            summary = self._plan(session, calendar, scope)
        self.app.call_from_thread(self._ask, calendar, scope, summary)

    def _ask(self, calendar: TermCalendar, scope: Scope, summary: PlanSummary) -> None:
        question = Label(
            f"按日历重新计划「{calendar.name.zh}」？将会：",
            f"Re-plan “{calendar.name.en}” from its calendar? It will:",
        )

        def answered(answer: bool | None) -> None:
            if answer:
                self.act(lambda session: self._plan(session, calendar, scope), self._planned)

        self.app.push_screen(ConfirmScreen(question, plan_preview(summary)), answered)

    def _planned(self, summary: PlanSummary) -> None:
        self.dashboard.pm.announce("term_planned", summary=summary)
        self.notify(
            str(
                Label(
                    f"已重新计划：{summary.changed} 处变化",
                    f"Re-planned: {summary.changed} changes",
                )
            )
        )
        self.reload()
