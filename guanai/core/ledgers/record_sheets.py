"""Record sheets: one row per record card of a kind of work, as the bureau checks it.

The talks (谈心记录) are one such sheet; the others come from the activity types: a type that
names a sheet (``ActivityType.ledger_sheet``: 家访记录, 会议记录, 电话联系记录, 书信记录) has its
records listed there, types that name the same sheet sharing it. A row is a done task with its
record: school, month, class, child (masked for the bureau), which step, who did it, then the
record's fields that may be shown. Only fields not declared ``Field.private`` are selected from
the database, so a private field cannot reach the file. Fields with the same Chinese label
share a column (寄出日期 of two kinds of letter), whatever their keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlalchemy.orm import Session

from guanai.core.activity import Field, FieldKind
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.ledgers.scope import Scope
from guanai.core.models import Activity, Child, Record, SchoolClass, Task, TaskState
from guanai.core.paging import keyset_pages
from guanai.core.roster.disclosure import Disclosure
from guanai.core.task_rows import ASSIGNEE, task_rows
from guanai.core.workbook import Sheet


@dataclass(frozen=True)
class RecordColumn:
    """One column of record fields: the fields with this Chinese label, by their keys."""

    label: str
    kind: FieldKind
    names: tuple[str, ...]

    def value(self) -> ColumnElement[Any]:
        """The column's value read inside the database from the record's JSON."""
        elements = [self._element(name) for name in self.names]
        return elements[0] if len(elements) == 1 else func.coalesce(*elements)

    def _element(self, name: str) -> ColumnElement[Any]:
        element = Record.data[name]
        if self.kind is FieldKind.INTEGER:
            return element.as_integer()
        if self.kind is FieldKind.BOOLEAN:
            return element.as_boolean()
        return element.as_string()

    def cell(self, value: Any) -> Any:
        if value is None:
            return None
        if self.kind is FieldKind.DATE:
            try:
                return date.fromisoformat(str(value))
            except ValueError:
                return str(value)
        if self.kind is FieldKind.BOOLEAN:
            return "是" if value else "否"
        return value


@dataclass(frozen=True)
class RecordSheet:
    """What one record sheet lists: its steps and the columns of their record cards."""

    title: str
    steps: dict[tuple[str, str], str]  # (activity type, step) -> what the row says it was
    columns: tuple[RecordColumn, ...]
    what: str = "事项"  # the header of the step's column
    who: str = "负责人"  # the header of the assignee's column

    def holds(self) -> ColumnElement[bool]:
        """True for the tasks of this sheet's steps."""
        if not self.steps:
            return false()
        return or_(*(and_(Activity.type == kind, Task.step == step) for kind, step in self.steps))


def public_columns(
    registry: ActivityRegistry, steps: dict[tuple[str, str], str]
) -> tuple[RecordColumn, ...]:
    """The columns of the record fields of ``steps`` that may be shown, in declaration order:
    one per Chinese label (of the first field's kind)."""
    found: dict[str, list[Field]] = {}
    for kind, name in steps:
        for field in registry.get(kind).step(name).record:
            if not field.private:
                same = found.setdefault(field.label.zh, [])
                if field.name not in {f.name for f in same}:
                    same.append(field)
    return tuple(
        RecordColumn(label, fields[0].kind, tuple(f.name for f in fields))
        for label, fields in found.items()
    )


def type_sheets(registry: ActivityRegistry) -> list[RecordSheet]:
    """The sheets the activity types name, in the order their first type was registered."""
    steps: dict[str, dict[tuple[str, str], str]] = {}
    for name in registry:
        activity_type = registry.get(name)
        sheet = activity_type.ledger_sheet
        if sheet is None:
            continue
        for step in activity_type.steps:
            if step.record:
                label = f"{activity_type.title.zh}：{step.title.zh}"
                steps.setdefault(sheet.zh, {})[name, step.name] = label
    return [
        RecordSheet(title, held, public_columns(registry, held)) for title, held in steps.items()
    ]


def write_record_sheet(
    session: Session,
    book: Workbook,
    scope: Scope,
    disclosure: Disclosure,
    spec: RecordSheet,
    progress: Callable[[int], None],
) -> int:
    """Write the sheet; return its rows."""
    headers = ["学校", "月份", "班级", "学号", "儿童姓名", spec.what, spec.who]
    sheet = Sheet(book, spec.title, [*headers, *(column.label for column in spec.columns)])
    if scope.term is None:
        return 0
    query = (
        task_rows(
            Task.id,
            Activity.school_id,
            Activity.starts_on,
            SchoolClass.name,
            Child.student_no,
            Child.name,
            Activity.type,
            Task.step,
            ASSIGNEE.name,
            *(column.value() for column in spec.columns),
        )
        .join(Record, Record.task_id == Task.id)
        .where(
            Activity.term_id == scope.term.id,
            spec.holds(),
            scope.schools(Activity.school_id),
            Task.state == TaskState.DONE.value,
        )
    )
    for page in keyset_pages(session, query, Task.id):
        for _, school_id, month, class_name, no, name, kind, step, who, *values in page:
            sheet.append(
                [
                    scope.school_name(school_id),
                    f"{month:%Y-%m}",
                    class_name,
                    no,
                    disclosure.name(name),
                    spec.steps.get((kind, step), step),
                    who,
                    *(c.cell(value) for c, value in zip(spec.columns, values, strict=True)),
                ]
            )
        progress(len(page))
    return sheet.rows
