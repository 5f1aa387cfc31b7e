"""Today: what is due and overdue, by teacher or by class, and the term's next events."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from guanai import Label
from guanai.plugins.dashboard.widgets import NO_SCHOOL, DataPanel, PlainStatic, PlainTable, fill
from guanai.tui import Event, Grouping, Scope, TodayView, described

BY = {"teacher": Label("教师", "Teacher"), "class": Label("班级", "Class")}


def _weekday(scope: Scope) -> str:
    day = scope.today.weekday()
    return str(Label(f"周{'一二三四五六日'[day]}", scope.today.strftime("%a")))


class TodayPanel(DataPanel[TodayView]):
    panel_id = "today"
    title = Label("今日", "Today")
    order = 10
    DEFAULT_CSS = """
    TodayPanel #today-summary { height: 1; padding: 0 1; background: $boost; }
    TodayPanel Horizontal { height: 1fr; }
    TodayPanel #workload { width: 1fr; }
    TodayPanel #events { width: 36; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "group", described(Label("按教师/班级", "By teacher/class"))),
    ]

    grouping: Grouping = "teacher"

    def compose(self) -> ComposeResult:
        yield PlainStatic(id="today-summary")
        with Horizontal():
            table: DataTable[str] = PlainTable(id="workload", cursor_type="row", zebra_stripes=True)
            yield table
            yield PlainTable(id="events", cursor_type="row")

    def on_mount(self) -> None:
        self._columns()
        events = self.query_one("#events", DataTable)
        events.add_columns(str(Label("日期", "Dates")), str(Label("接下来", "Coming up")))

    def _columns(self) -> None:
        table = self.query_one("#workload", DataTable)
        table.clear(columns=True)
        table.add_columns(
            str(BY[self.grouping]),
            str(Label("到期", "Due")),
            str(Label("逾期", "Late")),
            str(Label("上报", "Esc.")),
            str(Label("7日内", "7 days")),
        )

    def fetch(self) -> TodayView:
        return self.service.today_view(self.grouping)

    def show(self, data: TodayView) -> None:
        summary = self.query_one("#today-summary", Static)
        if data.scope is None or data.totals is None:
            summary.update(
                str(
                    NO_SCHOOL
                    if data.scope is None
                    else Label("尚未计划学期", "No term planned yet")
                )
            )
            return
        scope, t = data.scope, data.totals
        summary.update(
            f"{scope.today:%Y-%m-%d} {_weekday(scope)}  "
            + str(
                Label(
                    f"到期 {t.due}  逾期 {t.overdue}  已上报 {t.escalated}  7日内 {t.week}",
                    f"due {t.due}  late {t.overdue}  escalated {t.escalated}  7 days {t.week}",
                )
            )
        )
        fill(
            self.query_one("#workload", DataTable),
            [(w.name, w.due, w.overdue, w.escalated, w.week) for w in data.rows],
        )
        fill(
            self.query_one("#events", DataTable),
            [(_dates(e), str(e.title)) for e in data.events],
        )

    def action_group(self) -> None:
        self.grouping = "class" if self.grouping == "teacher" else "teacher"
        self._columns()
        self.reload()


def _dates(event: Event) -> str:
    if event.starts_on == event.ends_on:
        return f"{event.starts_on:%m-%d}"
    return f"{event.starts_on:%m-%d}–{event.ends_on:%m-%d}"
