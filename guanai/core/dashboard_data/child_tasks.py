"""One child's tasks (talks, calls, visits, letters) and the records that completed them.

A record's private fields (a talk's notes) are read only for a viewer who sees the child in
full (:func:`guanai.core.access.sees_in_full`, evaluated in SQL on this child); everyone else
gets the public fields and a mark that something was left out. Activity and step titles come
from the plugin registry, so a task of an uninstalled plugin shows its type and step names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.access import Viewer, sees_in_full
from guanai.core.activity import Field
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.i18n import Label, yes_no
from guanai.core.models import OPEN_STATES, Activity, Child, Record, Task
from guanai.core.record_days import DAY_OFF_MARK, DAY_OFF_SHOWN
from guanai.core.task_rows import ASSIGNEE, task_rows

MAX_TASKS = 200  # a child has a few dozen tasks a term; the card shows the latest ones
STATES = {
    "pending": Label("未开始", "pending"),
    "due": Label("待办", "due"),
    "overdue": Label("逾期", "overdue"),
    "escalated": Label("已上报", "escalated"),
    "done": Label("已完成", "done"),
    "cancelled": Label("已取消", "cancelled"),
}
HIDDEN = Label("（不可见）", "(hidden)")
MONTHS_ZH = ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
             "十一月", "十二月")  # fmt: skip
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip
MONTHLY = re.compile(r"@month:\d{4}-(\d{2})$")  # the key of a monthly activity (occurrences.py)


@dataclass(frozen=True)
class ChildTask:
    task_id: int
    activity_type: str
    step: str
    title: Label  # "谈心 · 班主任谈心"
    scheduled_on: date
    due_on: date
    state: str
    assignee: str | None
    record: list[tuple[Label, Label]]  # the record's fields as shown to this viewer
    month: int | None = None  # the month a monthly duty is for (its activity's key)
    window: tuple[date, date] | None = None  # its activity's first and last school day

    @property
    def fills(self) -> Label:
        """What recording this task fills in: 「十二月谈心 · 班主任谈心（12月1日–31日）」."""
        zh = f"{MONTHS_ZH[self.month - 1]}{self.title.zh}" if self.month else self.title.zh
        en = f"{self.title.en}, {MONTHS_EN[self.month - 1]}" if self.month else self.title.en
        if self.window is not None:
            first, last = self.window
            same = (first.year, first.month) == (last.year, last.month)
            zh += (
                f"（{first.month}月{first.day}日–{'' if same else f'{last.month}月'}{last.day}日）"
            )
            en += f" ({first.day} {MONTHS_EN[first.month - 1][:3]}–{last.day} {MONTHS_EN[last.month - 1][:3]})"
        return Label(f"记录：{zh}", f"Recording: {en}")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def state_label(self) -> Label:
        return STATES.get(self.state, Label(self.state, self.state))


def child_tasks(
    session: Session, viewer: Viewer, registry: ActivityRegistry, child_id: int
) -> list[ChildTask]:
    """The child's latest tasks, newest first, with the records of those done."""
    full = bool(
        session.scalar(select(sees_in_full(viewer)).select_from(Child).where(Child.id == child_id))
    )
    rows = session.execute(
        task_rows(
            Task.id,
            Activity.type,
            Task.step,
            Task.scheduled_on,
            Task.due_on,
            Task.state,
            ASSIGNEE.name,
            Record.data,
            Activity.key,
            Activity.starts_on,
            Activity.ends_on,
        )
        .outerjoin(Record, Record.task_id == Task.id)
        .where(Task.child_id == child_id)
        .order_by(Task.scheduled_on.desc(), Task.id.desc())
        .limit(MAX_TASKS)
    )
    return [
        ChildTask(
            task_id,
            kind,
            step,
            _title(registry, kind, step),
            scheduled_on,
            due_on,
            state,
            assignee,
            _record(registry, kind, step, data, full) if data else [],
            int(month.group(1)) if (month := MONTHLY.search(key)) else None,
            (starts_on, ends_on),
        )
        for (
            task_id,
            kind,
            step,
            scheduled_on,
            due_on,
            state,
            assignee,
            data,
            key,
            starts_on,
            ends_on,
        ) in rows
    ]


def _title(registry: ActivityRegistry, kind: str, step: str) -> Label:
    if kind not in registry:
        return Label(f"{kind} · {step}", f"{kind} · {step}")
    activity = registry.get(kind)
    try:
        step_title = activity.step(step).title
    except KeyError:
        step_title = Label(step, step)
    return Label(f"{activity.title.zh} · {step_title.zh}", f"{activity.title.en} · {step_title.en}")


def _record(
    registry: ActivityRegistry, kind: str, step: str, data: dict[str, Any], full: bool
) -> list[tuple[Label, Label]]:
    try:
        fields = registry.get(kind).step(step).record
    except KeyError:
        return []  # the plugin that knows which fields are private is not installed
    return record_lines(fields, data, full)


def record_lines(
    fields: tuple[Field, ...], data: dict[str, Any], full: bool
) -> list[tuple[Label, Label]]:
    """The record's values in the step's field order; private ones only in ``full``; a date
    confirmed on a day off says so (guanai.core.record_days). Each value is a label, so that
    a page in English says "yes" and "(hidden)" where the record holds a yes or a private
    field; what the teacher typed reads the same in both."""
    day_off = set(data.get(DAY_OFF_MARK) or ())
    shown: list[tuple[Label, Label]] = []
    for field in fields:
        value = data.get(field.name)
        if value is None:
            continue
        if field.private and not full:
            shown.append((field.label, HIDDEN))
        elif isinstance(value, bool):
            shown.append((field.label, yes_no(value)))
        elif field.name in day_off:
            shown.append(
                (
                    field.label,
                    Label(f"{value}（{DAY_OFF_SHOWN.zh}）", f"{value} ({DAY_OFF_SHOWN.en})"),
                )
            )
        else:
            shown.append((field.label, Label(str(value), str(value))))
    return shown
