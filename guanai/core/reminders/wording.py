"""The words of reminders, in both languages: a task's line, its date, section headings.

A task's line is its activity type's ``calendar_summary`` (the same words as in the calendar
feed) with the child's name masked, so a reminder says no more than the feed does.
"""

from __future__ import annotations

from datetime import date

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.i18n import Label
from guanai.core.masking import mask_name

DUE_NOW = Label("待办（{n}）", "Due now ({n})")
THIS_WEEK = Label("本周及近期（{n}）", "This week and coming up ({n})")
OVERDUE = Label("已逾期（{n}）", "Overdue ({n})")


def concat(*labels: Label) -> Label:
    """Labels joined language by language (``+`` on a Label would join the tuples)."""
    return Label("".join(label.zh for label in labels), "".join(label.en for label in labels))


def task_line(
    registry: ActivityRegistry, kind: str, step: str, child: str | None, klass: str | None
) -> Label:
    subject = mask_name(child) if child else klass
    if kind in registry:
        activity_type = registry.get(kind)
        try:
            return activity_type.calendar_summary(activity_type.step(step), subject)
        except KeyError:
            pass
    text = f"{kind}: {step}" + (f" · {subject}" if subject else "")
    return Label(text, text)


def day_label(day: date, mode: str, today: date | None = None) -> Label:
    """``by``: a deadline; ``on``: a scheduled day; ``late``: how many days overdue."""
    if mode == "late" and today is not None:
        days = (today - day).days
        return Label(f"（逾期 {days} 天）", f" ({days} days overdue)")
    if mode == "by":
        return Label(f"（截止 {day.month}月{day.day}日）", f" (by {day.day} {day:%b})")
    return Label(f"（{day.month}月{day.day}日）", f" ({day.day} {day:%b})")
