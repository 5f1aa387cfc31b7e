"""谈心记录: the heart-to-heart talks held in the term, one row per talk record card.

A talk is a step of the talk plugin's type, or any other step that fills in the same record
card: the welcome-back week's first talk (开学首次谈心) is a talk too (:func:`talk_steps`).

Only the record fields the talk plugin declares public are read: a field with
``Field.private`` (the talk's notes, its follow-up) is never selected from the database, so it
cannot reach the file. Which fields those are is asked of the plugin registry, so a plugin
that changes the talk card changes this sheet with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from openpyxl import Workbook
from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.orm import Session

from guanai.core.activity import Field, FieldKind
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.ledgers.scope import Scope
from guanai.core.models import Activity, Child, Record, SchoolClass, Task, TaskState
from guanai.core.paging import keyset_pages
from guanai.core.roster.disclosure import Disclosure
from guanai.core.task_rows import ASSIGNEE, task_rows
from guanai.core.workbook import Sheet

TITLE = "谈心记录"
TALK = "talk"  # the activity type of the built-in talks plugin (guanai/plugins/talks.py)


def public_fields(registry: ActivityRegistry, type_name: str = TALK) -> list[Field]:
    """The record fields of ``type_name``'s steps that may be shown, in declaration order."""
    if type_name not in registry:
        return []
    fields: dict[str, Field] = {}
    for step in registry.get(type_name).steps:
        for field in step.record:
            if not field.private:
                fields.setdefault(field.name, field)
    return list(fields.values())


def talk_steps(registry: ActivityRegistry) -> dict[tuple[str, str], str]:
    """(activity type, step) -> the step's Chinese title, for every step that is a talk: the
    talk type's steps and every other step whose record card is the talk card."""
    if TALK not in registry:
        return {}
    cards = {step.record for step in registry.get(TALK).steps}
    return {
        (name, step.name): step.title.zh
        for name in registry
        for step in registry.get(name).steps
        if name == TALK or step.record in cards
    }


def is_talk(registry: ActivityRegistry) -> ColumnElement[bool]:
    """True for the tasks that are talks (:func:`talk_steps`)."""
    steps = talk_steps(registry)
    if not steps:
        return false()
    return or_(*(and_(Activity.type == kind, Task.step == step) for kind, step in steps))


def _value(field: Field) -> ColumnElement[Any]:
    """The field's value read inside the database from the record's JSON."""
    element = Record.data[field.name]
    if field.kind is FieldKind.INTEGER:
        return element.as_integer()
    if field.kind is FieldKind.BOOLEAN:
        return element.as_boolean()
    return element.as_string()


def _cell(field: Field, value: Any) -> Any:
    if value is None:
        return None
    if field.kind is FieldKind.DATE:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if field.kind is FieldKind.BOOLEAN:
        return "是" if value else "否"
    return value


def write_talks(
    session: Session,
    book: Workbook,
    scope: Scope,
    disclosure: Disclosure,
    registry: ActivityRegistry,
    progress: Callable[[int], None],
) -> int:
    """Write the sheet; return its rows."""
    fields = public_fields(registry)
    steps = talk_steps(registry)
    headers = ["学校", "月份", "班级", "学号", "儿童姓名", "谈心类型", "谈心教师"]
    sheet = Sheet(book, TITLE, [*headers, *(field.label.zh for field in fields)])
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
            *(_value(field) for field in fields),
        )
        .join(Record, Record.task_id == Task.id)
        .where(
            Activity.term_id == scope.term.id,
            is_talk(registry),
            scope.schools(Activity.school_id),
            Task.state == TaskState.DONE.value,
        )
    )
    for page in keyset_pages(session, query, Task.id):
        for _, school_id, month, class_name, no, name, kind, step, teacher, *values in page:
            sheet.append(
                [
                    scope.school_name(school_id),
                    f"{month:%Y-%m}",
                    class_name,
                    no,
                    disclosure.name(name),
                    steps.get((kind, step), step),
                    teacher,
                    *(_cell(field, value) for field, value in zip(fields, values, strict=True)),
                ]
            )
        progress(len(page))
    return sheet.rows
