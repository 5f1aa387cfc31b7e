"""汇总: the figures the bureau checks, in four sections on one sheet.

一、总体情况 per school (and 合计 over all of them); 二、分班情况 per class; 三、谈心开展 talks
due and held by month and class; 四、家校联系与帮扶 the records of each record sheet by month and
class; 五、重点帮扶对象名单 the key assistance targets. The figures come from
:mod:`guanai.core.ledgers.figures`, where they are defined and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.ledgers.activities import rate
from guanai.core.ledgers.figures import (
    ClassFigures,
    TalkFigures,
    class_figures,
    contact_figures,
    key_targets,
    talk_figures,
)
from guanai.core.ledgers.record_sheets import RecordSheet, type_sheets
from guanai.core.ledgers.scope import Scope
from guanai.core.roster.columns import CHILD_COLUMNS
from guanai.core.roster.disclosure import Disclosure, render
from guanai.core.workbook import PERCENT, Sheet

TITLE = "汇总"
OVERALL = "一、总体情况"
BY_CLASS = "二、分班情况"
TALKS = "三、谈心开展（按月、按班）"
CONTACT = "四、家校联系与帮扶（按月、按班）"
KEY_TARGETS = "五、重点帮扶对象名单"
TOTAL = "合计"
_CARE = next(c for c in CHILD_COLUMNS if c.key == "child.care_categories")


@dataclass
class _Totals:
    enrolled: int = 0
    complete: int = 0
    five_clears: int = 0
    paired: int = 0
    due: int = 0
    held: int = 0
    key_targets: int = 0

    def add(self, other: _Totals) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _percent(*columns: int) -> dict[int, str]:
    return dict.fromkeys(columns, PERCENT)


def write_summary(
    session: Session,
    book: Workbook,
    scope: Scope,
    disclosure: Disclosure,
    registry: ActivityRegistry,
    today: date,
) -> int:
    """Write the sheet; return the number of key assistance targets listed."""
    sheet = Sheet(book, TITLE, ["留守儿童关爱工作台账汇总"])
    term = scope.term
    sheet.append(["学期", f"{term.name}（{term.key}）" if term else "（尚未计划学期）"])
    sheet.append(["学校数", len(scope.school_names)])
    sheet.append(["制表日期", today])
    classes = class_figures(session, scope)
    talks = talk_figures(session, scope, registry, today)
    _overall(sheet, scope, classes, talks)
    _by_class(sheet, scope, classes)
    _talks(sheet, scope, talks)
    _contact(sheet, session, scope, type_sheets(registry))
    return _key_targets(sheet, session, scope, disclosure)


def _section(sheet: Sheet, title: str, *headers: str) -> None:
    sheet.blank()
    sheet.heading(title)
    sheet.heading(*headers)


def _overall(
    sheet: Sheet, scope: Scope, classes: list[ClassFigures], talks: list[TalkFigures]
) -> None:
    _section(
        sheet, OVERALL, "学校", "在读留守儿童", "建档完整", "建档率", "五个清楚", "五清率",
        "已结对", "结对率", "应谈心", "已谈心", "谈心完成率", "重点帮扶对象",
    )  # fmt: skip
    # Every school in scope has a line, also one with nothing counted yet.
    schools = {school_id: _Totals() for school_id in sorted(scope.school_names)}
    for c in classes:
        schools[c.school_id].add(
            _Totals(c.enrolled, c.complete, c.five_clears, c.paired, key_targets=c.key_targets)
        )
    for t in talks:
        schools[t.school_id].add(_Totals(due=t.due, held=t.held))
    rows = [(scope.school_name(school_id), totals) for school_id, totals in schools.items()]
    if len(rows) != 1:
        total = _Totals()
        for _, totals in rows:
            total.add(totals)
        rows.append((TOTAL, total))
    for name, t in rows:
        sheet.append(
            [name, t.enrolled, t.complete, rate(t.complete, t.enrolled), t.five_clears,
             rate(t.five_clears, t.enrolled), t.paired, rate(t.paired, t.enrolled), t.due,
             t.held, rate(t.held, t.due), t.key_targets],
            _percent(3, 5, 7, 10),
        )  # fmt: skip


def _by_class(sheet: Sheet, scope: Scope, classes: list[ClassFigures]) -> None:
    _section(
        sheet, BY_CLASS, "学校", "班级", "在读留守儿童", "建档完整", "建档率", "五个清楚",
        "五清率", "已结对", "结对率", "重点帮扶对象",
    )  # fmt: skip
    for c in classes:
        sheet.append(
            [scope.school_name(c.school_id), c.class_name, c.enrolled, c.complete,
             rate(c.complete, c.enrolled), c.five_clears, rate(c.five_clears, c.enrolled),
             c.paired, rate(c.paired, c.enrolled), c.key_targets],
            _percent(4, 6, 8),
        )  # fmt: skip


def _talks(sheet: Sheet, scope: Scope, talks: list[TalkFigures]) -> None:
    _section(sheet, TALKS, "学校", "月份", "班级", "应谈心", "已谈心", "完成率")
    for t in talks:
        sheet.append(
            [scope.school_name(t.school_id), f"{t.month:%Y-%m}", t.class_name, t.due, t.held,
             rate(t.held, t.due)],
            _percent(5),
        )  # fmt: skip


def _contact(sheet: Sheet, session: Session, scope: Scope, sheets: list[RecordSheet]) -> None:
    _section(sheet, CONTACT, "学校", "月份", "班级", *(s.title for s in sheets))
    for c in contact_figures(session, scope, sheets):
        sheet.append([scope.school_name(c.school_id), f"{c.month:%Y-%m}", c.class_name, *c.records])


def _key_targets(sheet: Sheet, session: Session, scope: Scope, disclosure: Disclosure) -> int:
    _section(
        sheet, KEY_TARGETS, "学校", "班级", "学号", "姓名", "关爱类别", "个别教育方案", "帮扶教师"
    )
    listed = 0
    for school_id, class_name, no, name, care, has_plan, teacher in key_targets(session, scope):
        sheet.append(
            [scope.school_name(school_id), class_name, no, disclosure.name(name),
             render(_CARE, care or []), "有" if has_plan else "无", teacher]
        )  # fmt: skip
        listed += 1
    return listed
