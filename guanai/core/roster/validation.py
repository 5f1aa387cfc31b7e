"""Checking a roster before anything is written: every cell, every row, the whole file.

A :class:`Problem` names the row and the column (as headed in the file) and says what is wrong,
in Chinese and English. It never repeats a value that may be private (an ID number, a phone):
the row and column are enough to find it. (An unknown class is named: a class name is not
private, and it tells which of several spellings the school lacks.)

:class:`RosterCheck` takes the rows one at a time and keeps only small keys for the whole file
(student numbers with their class, ID numbers with their row), so a file of any length is
checked in bounded memory; the checks that need the whole file (duplicates, buddies, ID numbers
already in the database) run in :meth:`RosterCheck.finish`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.class_names import ClassIndex, grade_order
from guanai.core.i18n import Label
from guanai.core.models import Child, Pairing, SchoolClass, Teacher
from guanai.core.roster.checks import CellError, birth_date_of
from guanai.core.roster.columns import Column, Kind
from guanai.core.roster.reading import LostDigits, RosterFile, SheetRow
from guanai.core.roster.stored import batches
from guanai.core.text import UnsafeText, clean_text
from guanai.core.workbook import as_typed

_DIGIT_KINDS = frozenset({Kind.ID_NUMBER, Kind.MOBILE, Kind.PHONE, Kind.CODE})
"""Kinds of digits, where a number Excel cut short (LostDigits, 1.1E+17) is an error."""
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$", re.IGNORECASE)
_MULTI_LINE_COLUMNS = frozenset({"child.individual_plan", "child.notes"})
"""Columns whose text may span lines (tab and line feed allowed); every other is one line."""
LOST_DIGITS = Label(
    "Excel 把此格存成了数字，15 位以后的数字已丢失：请把该列设为“文本”格式后重新填写",
    "Excel stored this cell as a number and lost the digits past the 15th: "
    "format the column as Text and type it again",
)


@dataclass(frozen=True, order=True)
class Problem:
    """What is wrong with one cell (or one row, when ``column`` is empty)."""

    row: int
    column: str  # the header as written in the file
    reason: Label = field(compare=False)

    @property
    def message(self) -> Label:
        if not self.column:
            return Label(f"第 {self.row} 行：{self.reason.zh}", f"row {self.row}: {self.reason.en}")
        return Label(
            f"第 {self.row} 行，「{self.column}」：{self.reason.zh}",
            f"row {self.row}, column '{self.column}': {self.reason.en}",
        )

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class SchoolFacts:
    """What the checks need to know about one school: its classes and teachers."""

    school_id: int
    classes: ClassIndex  # class name (any spelling of it) -> id
    teachers: dict[str, int]  # teacher code -> id

    @classmethod
    def load(cls, session: Session, school_id: int) -> SchoolFacts:
        classes = session.execute(
            select(SchoolClass.name, SchoolClass.id).where(SchoolClass.school_id == school_id)
        )
        teachers = session.execute(
            select(Teacher.code, Teacher.id).where(Teacher.school_id == school_id)
        )
        return cls(school_id, ClassIndex(classes.all()), dict(teachers.all()))

    @property
    def class_names(self) -> dict[int, str]:
        return {id_: name for name, id_ in self.classes.items()}

    @property
    def teacher_codes(self) -> dict[int, str]:
        return {id_: code for code, id_ in self.teachers.items()}


def parse_cell(column: Column, raw: Any) -> Any:
    """The stored value of a cell, or :class:`CellError`; numbers Excel cut short are errors,
    and so is text holding a character no field accepts (guanai.core.text)."""
    raw = as_typed(raw)  # a ' before =, +, -, @ marks text, as in Excel
    if column.kind in _DIGIT_KINDS and raw is not None:
        if isinstance(raw, LostDigits):
            raise CellError(LOST_DIGITS)
        if isinstance(raw, str) and _SCIENTIFIC.match(raw.strip()):
            raise CellError(LOST_DIGITS)  # a CSV saved by Excel holds "1.10105E+17"
    elif isinstance(raw, LostDigits):
        raw = str(raw)  # e.g. a long number in a notes column: the digits Excel kept
    value = column.parse(raw)
    if isinstance(value, str):
        try:
            return clean_text(value, multiline=column.key in _MULTI_LINE_COLUMNS)
        except UnsafeText as error:
            raise CellError(error.reason) from None
    return value


def parse_row(roster: RosterFile, row: SheetRow) -> tuple[dict[str, Any], list[Problem]]:
    """The row's values by column key, and the problems of its cells."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    cells = row.cells
    for header, column in roster.columns.items():
        try:
            values[column.key] = parse_cell(column, cells.get(header))
        except CellError as error:
            problems.append(Problem(row.number, header, error.reason))
    return values, problems


def cross_checks(values: dict[str, Any], facts: SchoolFacts) -> list[tuple[str, Label]]:
    """Checks between fields of one record: (column key, reason) for each failure.

    Only fields present in ``values`` are checked; a field that failed its own parse is absent.
    """
    found: list[tuple[str, Label]] = []
    id_number, born = values.get("child.id_number"), values.get("child.birth_date")
    if id_number and born and birth_date_of(id_number) != born:
        found.append(
            (
                "child.id_number",
                Label(
                    "身份证号中的出生日期与“出生日期”不一致",
                    "the birth date inside the ID number differs from the birth date column",
                ),
            )
        )
    class_name = values.get("child.class")
    if class_name and class_name not in facts.classes:
        found.append(("child.class", unknown_class(facts, class_name)))
    teacher = values.get("pairing.teacher")
    if teacher and teacher not in facts.teachers:
        found.append(
            (
                "pairing.teacher",
                Label("本校没有此工号的教师", "no teacher of this school has this code"),
            )
        )
    if values.get("pairing.buddy") and values.get("pairing.buddy") == values.get(
        "child.student_no"
    ):
        found.append(("pairing.buddy", BUDDY_IS_SELF))
    buddy_name = values.get("pairing.buddy_name")
    if buddy_name and any(character.isdigit() for character in buddy_name):
        found.append(("pairing.buddy_name", BUDDY_NAME_NOT_NUMBER))
    elif buddy_name and values.get("pairing.buddy"):
        found.append(("pairing.buddy_name", BUDDY_TWICE))
    return found


def unknown_class(facts: SchoolFacts, name: str) -> Label:
    """The school has no class ``name`` (in any spelling): the classes it has, in grade order."""
    names = sorted(facts.classes, key=grade_order)
    shown = "、".join(names[:12]) + ("…" if len(names) > 12 else "")
    if not names:
        return Label(
            "本校还没有班级：请先建立班级", "this school has no classes yet: add them first"
        )
    return Label(
        f"本校没有班级「{name}」（已有：{shown}）",
        f"this school has no class '{name}' (there are: {shown.replace('、', ', ')})",
    )


BUDDY_IS_SELF = Label("学习帮手不能是本人", "a child cannot be their own buddy")
BUDDY_UNKNOWN = Label("本校找不到此学号的学生", "no student of this school has this number")
BUDDY_OTHER_CLASS = Label("学习帮手应与本人同班", "the buddy must be in the same class")
BUDDY_NAME_NOT_NUMBER = Label(
    "姓名中不应有数字：名单上的同学请把学号填在“学习帮手学号”",
    'a name has no digits: give a classmate on the roster by number, in "Buddy\'s student no."',
)
BUDDY_TWICE = Label(
    "学习帮手只填一项：名单上的同学填学号，不在名单上的同学填姓名",
    "give the buddy once: a classmate on the roster by number, one who is not by name",
)
BUDDY_REJECTED = Label(
    "学习帮手所在的行有错误，未能导入", "the buddy's own row has problems and is not imported"
)
ID_HOLDER_REJECTED = Label(
    "此身份证号属于本校另一名学生，而该生所在的行有错误，未能导入",
    "this ID number belongs to another student whose own row has problems and is not imported",
)
BUDDY_NEEDS_TEACHER = Label(
    "该生尚未结对：填写学习帮手时须同时填写帮扶教师工号",
    "the child is not paired yet: give the pairing teacher's code with the buddy",
)


@dataclass(slots=True)
class _Buddy:
    row: int
    student_no: str
    buddy_no: str | None  # None: a classmate not on the roster, by name
    class_id: int | None
    has_teacher: bool

    @property
    def key(self) -> str:
        return "pairing.buddy" if self.buddy_no is not None else "pairing.buddy_name"


class RosterCheck:
    """Checks a roster's rows one by one, then the whole file in :meth:`finish`."""

    def __init__(self, session: Session, roster: RosterFile, facts: SchoolFacts) -> None:
        self.session = session
        self.roster = roster
        self.facts = facts
        self.rows = 0
        self._problems: list[Problem] = []
        self._students: dict[str, tuple[int, int | None]] = {}  # student no -> (row, class id)
        self._ids: dict[str, tuple[int, str]] = {}  # ID number -> (row, student no)
        self._buddies: list[_Buddy] = []
        self._swaps: list[tuple[int, str]] = []  # (row, student no. now holding its ID number)

    def header(self, key: str) -> str:
        return self.roster.header_of(key)

    def check(self, row: SheetRow) -> dict[str, Any]:
        """Check one row; return its parsed values (the cells that parsed)."""
        self.rows += 1
        values, problems = parse_row(self.roster, row)
        problems += [
            Problem(row.number, self.header(key), reason)
            for key, reason in cross_checks(values, self.facts)
        ]
        student_no = values.get("child.student_no")
        class_id = self.facts.classes.get(values.get("child.class") or "")
        if student_no:
            first = self._students.get(student_no)
            if first is not None:
                problems.append(
                    Problem(
                        row.number,
                        self.header("child.student_no"),
                        Label(f"学号与第 {first[0]} 行重复", f"same student no. as row {first[0]}"),
                    )
                )
            else:
                self._students[student_no] = (row.number, class_id)
        id_number = values.get("child.id_number")
        if id_number and student_no:
            seen = self._ids.get(id_number)
            if seen is not None:
                problems.append(
                    Problem(
                        row.number,
                        self.header("child.id_number"),
                        Label(f"身份证号与第 {seen[0]} 行重复", f"same ID number as row {seen[0]}"),
                    )
                )
            else:
                self._ids[id_number] = (row.number, student_no)
        buddy = values.get("pairing.buddy")
        if buddy == student_no:
            buddy = None  # a cross-check reports it
        if student_no and (buddy or values.get("pairing.buddy_name")):
            self._buddies.append(
                _Buddy(
                    row.number,
                    student_no,
                    buddy or None,
                    class_id,
                    bool(values.get("pairing.teacher")),
                )
            )
        self._problems += problems
        return values

    @property
    def student_rows(self) -> Mapping[str, int]:
        """The row of each student no. of the file checked so far (its first, if twice)."""
        return {student_no: row for student_no, (row, _) in self._students.items()}

    def finish(self) -> list[Problem]:
        """Every problem of the file, in row order (then in the file's column order)."""
        self._problems += self._ids_in_database()
        self._problems += self._new_without_required()
        self._problems += self._dependent_problems()
        order = {header: index for index, header in enumerate(self.roster.headers)}
        return sorted(self._problems, key=lambda p: (p.row, order.get(p.column, -1)))

    # --- whole-file checks -------------------------------------------------------------------

    def _ids_in_database(self) -> Iterator[Problem]:
        """ID numbers that belong to another child in the database.

        Another child of this school keeps its ID number unless the file gives that child one
        too (then the file is correcting a swap, and the duplicate check covers the file); a
        child of another school conflicts only while enrolled there.
        """
        for batch in batches(self._ids):
            stored = self.session.execute(
                select(
                    Child.id_number, Child.school_id, Child.student_no, Child.enrolment_status
                ).where(Child.id_number.in_(batch))
            )
            for id_number, school_id, student_no, status in stored:
                row, file_student = self._ids[id_number]
                if school_id == self.facts.school_id:
                    if student_no == file_student:
                        continue
                    if student_no in self._students:  # the file moves the number: fine if the
                        self._swaps.append((row, student_no))  # holder's row is written too
                        continue
                    reason = Label(
                        "此身份证号已属于本校另一名学生（学号不同）",
                        "this ID number belongs to another student of this school "
                        "(a different student no.)",
                    )
                elif status == "enrolled":
                    reason = Label(
                        "此身份证号已属于另一所学校的在读学生",
                        "this ID number belongs to a student enrolled at another school",
                    )
                else:
                    continue
                yield Problem(row, self.header("child.id_number"), reason)

    def _new_without_required(self) -> list[Problem]:
        """Rows that would create a child from a file lacking a required column."""
        missing = self.roster.missing_required
        if not missing:
            return []
        stored = self._stored_students(self._students)
        names = Label(
            "」「".join(c.header.zh for c in missing), "', '".join(c.header.en for c in missing)
        )
        reason = Label(
            f"本校还没有此学号的学生：新建档案须有必填列「{names.zh}」，文件中没有",
            f"no student of the school has this number: a new record needs the required "
            f"column(s) '{names.en}', which the file does not have",
        )
        header = self.header("child.student_no")
        return [
            Problem(row, header, reason)
            for student_no, (row, _) in self._students.items()
            if student_no not in stored
        ]

    def _dependent_problems(self) -> list[Problem]:
        """Problems that depend on other rows being written: buddies and moved ID numbers.

        A buddy given by number must be a classmate, in the file or the database (one given by
        name is a classmate not on the roster), and a child not yet paired needs a teacher
        with a buddy. A buddy whose own row is rejected still counts if the
        database has them; otherwise the row naming them is rejected too. An ID number moved
        from another child of the file is fine only if that child's row is written. Rejections
        spread until nothing more changes (they matter with ``valid_only``).
        """
        if not self._buddies and not self._swaps:
            return []
        wanted = {b.buddy_no for b in self._buddies if b.buddy_no is not None} | {
            b.student_no for b in self._buddies if not b.has_teacher or b.class_id is None
        }
        stored = self._stored_students(wanted)
        for buddy in self._buddies:  # a file without a class column: the class stays as stored
            if buddy.class_id is None and buddy.student_no in stored:
                buddy.class_id = stored[buddy.student_no][1]
        paired = self._paired(
            {stored[b.student_no][0] for b in self._buddies if b.student_no in stored}
        )
        found: dict[int, tuple[str, Label]] = {}
        for buddy in self._buddies:
            if not buddy.has_teacher and stored.get(buddy.student_no, (None,))[0] not in paired:
                found[buddy.row] = (buddy.key, BUDDY_NEEDS_TEACHER)
        rejected = {p.row for p in self._problems} | set(found)
        changed = True
        while changed:
            changed = False
            for buddy in self._buddies:
                reason = None if buddy.row in found else self._buddy_reason(buddy, stored, rejected)
                if reason is not None:
                    found[buddy.row] = (buddy.key, reason)
                    changed = changed or buddy.row not in rejected
                    rejected.add(buddy.row)
            for row, holder in self._swaps:
                if row not in rejected and self._students[holder][0] in rejected:
                    found[row] = ("child.id_number", ID_HOLDER_REJECTED)
                    rejected.add(row)
                    changed = True
        return [Problem(row, self.header(key), reason) for row, (key, reason) in found.items()]

    def _buddy_reason(
        self, buddy: _Buddy, stored: dict[str, tuple[int, int]], rejected: set[int]
    ) -> Label | None:
        if buddy.buddy_no is None:
            return None
        in_file = self._students.get(buddy.buddy_no)
        if in_file is not None and in_file[0] not in rejected:
            return None if in_file[1] == buddy.class_id else BUDDY_OTHER_CLASS
        if buddy.buddy_no in stored:
            return None if stored[buddy.buddy_no][1] == buddy.class_id else BUDDY_OTHER_CLASS
        return BUDDY_REJECTED if in_file is not None else BUDDY_UNKNOWN

    def _stored_students(self, student_nos: Iterable[str]) -> dict[str, tuple[int, int]]:
        """Student no. -> (child id, class id) for this school's children in the database."""
        found: dict[str, tuple[int, int]] = {}
        for batch in batches(student_nos):
            rows = self.session.execute(
                select(Child.student_no, Child.id, Child.class_id).where(
                    Child.school_id == self.facts.school_id, Child.student_no.in_(batch)
                )
            )
            found.update({no: (child_id, class_id) for no, child_id, class_id in rows})
        return found

    def _paired(self, child_ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        for batch in batches(child_ids):
            found.update(
                self.session.scalars(
                    select(Pairing.child_id).where(
                        Pairing.child_id.in_(batch), Pairing.ended_on.is_(None)
                    )
                )
            )
        return found
