"""Checking a manual edit of one record (``guanai child set``) before it is written.

The fields are named as roster headers (Chinese, English or key) and parsed exactly as roster
cells; the checks between fields compare the edit with the rest of the stored record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.models import Child, Pairing
from guanai.core.roster.checks import CellError
from guanai.core.roster.columns import CHILD_COLUMNS, column_for
from guanai.core.roster.stored import StoredCard
from guanai.core.roster.validation import (
    BUDDY_NEEDS_TEACHER,
    BUDDY_OTHER_CLASS,
    BUDDY_UNKNOWN,
    SchoolFacts,
    cross_checks,
    parse_cell,
)


class RecordEditError(GuanaiError):
    """A manual edit names an unknown field or gives a value that fails its check."""


def parse_edit(values: Mapping[str, str]) -> dict[str, tuple[str, Any, str]]:
    """Column key -> (key, parsed value, the name as typed); every bad field in one error."""
    parsed: dict[str, tuple[str, Any, str]] = {}
    problems: list[tuple[str, Label]] = []
    unknown = [name for name in values if column_for(name) is None]
    if unknown:
        known = Label(
            "、".join(c.header.zh for c in CHILD_COLUMNS),
            ", ".join(c.header.en for c in CHILD_COLUMNS),
        )
        raise RecordEditError(
            Label(
                f"未知字段「{'」「'.join(unknown)}」。可用字段：{known.zh}",
                "unknown field(s) '" + "', '".join(unknown) + f"'. Fields: {known.en}",
            )
        )
    for name, text in values.items():
        column = column_for(name)
        assert column is not None
        try:
            value = parse_cell(column, text)
        except CellError as error:
            problems.append((name, error.reason))
            continue
        if column.key == "child.student_no":
            problems.append((name, Label("学号不能修改", "a student no. cannot be changed")))
        elif column.entity == "pairing" and not value:
            problems.append(
                (
                    name,
                    Label("结对不能在此清空：请用 guanai pair", "end a pairing with guanai pair"),
                )
            )
        parsed[column.key] = (column.key, value, name)
    if problems:
        raise RecordEditError(joined(problems))
    return parsed


def edit_problems(
    session: Session,
    facts: SchoolFacts,
    card: StoredCard,
    student_no: str,
    parsed: dict[str, tuple[str, Any, str]],
) -> list[tuple[str, Label]]:
    """Checks between the edited fields and the rest of the stored record."""
    class_names = facts.class_names
    merged: dict[str, Any] = {"child.student_no": student_no, **card.values}
    merged["child.class"] = class_names.get(card.class_id)
    merged.update({key: value for key, value, _ in parsed.values()})
    edited = set(parsed)
    if "child.birth_date" in edited:
        edited.add("child.id_number")
    name_of = {key: name for key, _, name in parsed.values()}
    name_of.setdefault("child.id_number", name_of.get("child.birth_date", ""))
    problems = [
        (name_of[key], reason) for key, reason in cross_checks(merged, facts) if key in edited
    ]
    id_number = merged.get("child.id_number")
    if "child.id_number" in parsed and id_number:
        others = session.execute(
            select(Child.school_id, Child.enrolment_status).where(
                Child.id_number == id_number, Child.id != card.child_id
            )
        ).all()
        if any(s == facts.school_id or status == "enrolled" for s, status in others):
            problems.append(
                (
                    name_of["child.id_number"],
                    Label(
                        "此身份证号已属于另一名学生", "this ID number belongs to another student"
                    ),
                )
            )
    buddy = merged.get("pairing.buddy") if "pairing.buddy" in parsed else None
    if buddy and buddy != student_no:
        found = session.execute(
            select(Child.class_id).where(
                Child.school_id == facts.school_id, Child.student_no == buddy
            )
        ).scalar()
        class_id = facts.classes.get(merged.get("child.class") or "")
        if found is None:
            problems.append((name_of["pairing.buddy"], BUDDY_UNKNOWN))
        elif found != class_id:
            problems.append((name_of["pairing.buddy"], BUDDY_OTHER_CLASS))
    buddy_key = next((k for k in ("pairing.buddy", "pairing.buddy_name") if k in parsed), None)
    if buddy_key is not None and "pairing.teacher" not in parsed:
        paired = session.scalar(
            select(Pairing.id).where(Pairing.child_id == card.child_id, Pairing.ended_on.is_(None))
        )
        if paired is None:
            problems.append((name_of[buddy_key], BUDDY_NEEDS_TEACHER))
    guardian_edit = [key for key in parsed if key.startswith("guardian.")]
    if guardian_edit and card.guardian_id is None:
        needed = [c for c in CHILD_COLUMNS if c.entity == "guardian" and c.required]
        if any(c.key not in parsed for c in needed):
            names = Label(
                "、".join(c.header.zh for c in needed), ", ".join(c.header.en for c in needed)
            )
            problems.append(
                (
                    name_of[guardian_edit[0]],
                    Label(
                        f"该生还没有监护人：请一并填写{names.zh}",
                        f"the child has no guardian yet: give {names.en} too",
                    ),
                )
            )
    return problems


def joined(problems: list[tuple[str, Label]]) -> Label:
    return Label(
        "；".join(f"「{name}」：{reason.zh}" for name, reason in problems),
        "; ".join(f"'{name}': {reason.en}" for name, reason in problems),
    )
