"""What the database refuses on its own, and the message a user gets when it does.

The import and the engine check these rules before writing, with messages that name the row;
the database enforces them too (migration 0006), for the writes that race: two imports at
once, a re-plan during a completion. A violation that reaches the database is turned here
into the same plain words, never a driver's traceback.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label

TASK_WITH_RECORD_IS_DONE = "task_with_record_is_done"
"""The message of the triggers that keep a task with a record done."""

_MESSAGES = {
    "uq_child_id_number_school": Label(
        "身份证号已属于本校另一名学生", "the ID number belongs to another student of the school"
    ),
    "uq_child_enrolled_id_number": Label(
        "身份证号已属于另一名在读学生", "the ID number belongs to another enrolled student"
    ),
    "uq_child_school_id_student_no": Label(
        "学号已属于本校另一名学生", "the student no. belongs to another student of the school"
    ),
    "uq_pairing_current_child": Label(
        "这名学生已有当前的结对", "the student already has a current pairing"
    ),
    # a completion takes the task's row lock first, so only a task stuck before 0006 gets here
    "uq_record_task_id": Label(
        "这项任务已有记录却未标为完成，可用 guanai repair 修复",
        "the task already has a record yet is not marked done; guanai repair repairs it",
    ),
    TASK_WITH_RECORD_IS_DONE: Label(
        "有记录的任务必须是已完成状态", "a task with a record must stay done"
    ),
}

# SQLite names the columns of a unique index it found violated, not the index
_SQLITE_COLUMNS = {
    "child.id_number, child.school_id": "uq_child_id_number_school",
    "child.id_number": "uq_child_enrolled_id_number",
    "child.school_id, child.student_no": "uq_child_school_id_student_no",
    "pairing.child_id": "uq_pairing_current_child",
    "record.task_id": "uq_record_task_id",
}


def violated(error: IntegrityError) -> str | None:
    """The name of the rule of this module that ``error`` broke, if it is one of them."""
    original = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:  # psycopg
        name = diag.constraint_name or diag.message_primary
        return name if name in _MESSAGES else None
    text = str(original)
    if TASK_WITH_RECORD_IS_DONE in text:
        return TASK_WITH_RECORD_IS_DONE
    if text.startswith("UNIQUE constraint failed: "):
        return _SQLITE_COLUMNS.get(text.removeprefix("UNIQUE constraint failed: "))
    return None


def explained(error: IntegrityError) -> Label | None:
    """The plain message for ``error``, or ``None`` when it broke no rule of this module."""
    name = violated(error)
    return None if name is None else _MESSAGES[name]


class WriteRefusedError(GuanaiError):
    """The database refused a write that broke one of its rules; nothing was written.

    When the rule was checked before writing, another writer got there in between: doing the
    action again checks against what that writer stored."""

    def __init__(self, rule: Label) -> None:
        super().__init__(
            Label(
                f"数据库拒绝了这次写入：{rule.zh}（可能另一操作同时写入了），未写入任何数据",
                f"the database refused the write: {rule.en} (perhaps another action wrote at"
                " the same time); nothing was written",
            )
        )
        self.rule = rule
