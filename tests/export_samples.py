"""Test data for exports and ledgers: full contact cards, a hand-made school, file readers.

Whatever the demo school fills in, :func:`fill_contact_cards` gives every child a complete
contact card of invented values: ID numbers in the non-existent region 990101
with a valid check digit, phones in the 139/0731 ranges, addresses in an invented village.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msoffcrypto
import openpyxl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar
from guanai.core.engine import complete, plan_term
from guanai.core.models import (
    Activity,
    Child,
    Guardian,
    Pairing,
    Parent,
    School,
    SchoolClass,
    Task,
    TaskState,
    Teacher,
)
from guanai.core.roster.checks import id_check_digit
from guanai.core.vocabulary import FIVE_CLEARS

Rows = list[tuple[Any, ...]]


def invented_id_number(born: date, sequence: int) -> str:
    first17 = f"990101{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_digit(first17)


def fill_contact_cards(session: Session, school_id: int) -> None:
    """Give every child of the school an ID number, addresses and two parents with phones."""
    children = session.scalars(select(Child).where(Child.school_id == school_id)).all()
    for child in children:
        n = child.id
        child.id_number = invented_id_number(child.birth_date or date(2018, 1, 1), n)
        child.home_address = f"测试县幸福镇{n}村{n % 7 + 1}组"
        child.individual_plan = f"个别教育方案内容{n}"
        child.notes = f"备注内容{n}"
        guardian = session.scalars(select(Guardian).where(Guardian.child_id == n)).one()
        guardian.address = f"测试县幸福镇{n}村老屋"
        guardian.health = f"高血压{n}"
        parents = {
            p.relation: p for p in session.scalars(select(Parent).where(Parent.child_id == n))
        }
        for relation, prefix in (("father", "139"), ("mother", "137")):
            parent = parents.get(relation) or Parent(child_id=n, relation=relation)
            parent.name = ("赵" if relation == "father" else "钱") + f"家长{n}"
            parent.phone = f"{prefix}{n:08d}"
            parent.work_city = "广东省东莞市"
            parent.work_unit = "东莞某电子厂"
            parent.unit_address = f"东莞市长安镇工业路{n}号"
            parent.unit_phone = f"0769{n:08d}"
            session.add(parent)
    session.flush()


def private_values(session: Session, school_id: int) -> dict[str, set[str]]:
    """Every contact detail and person's name of the school, by kind (teachers' names apart)."""
    teachers = set(session.scalars(select(Teacher.name)))
    values: dict[str, set[str]] = {"phones": set(), "ids": set(), "texts": set(), "names": set()}
    children = session.scalars(select(Child).where(Child.school_id == school_id)).all()
    for child in children:
        values["ids"].add(child.id_number or "")
        values["texts"].update(
            [child.home_address or "", child.individual_plan or "", child.notes or ""]
        )
        values["names"].add(child.name)
        for guardian in child.guardians:
            values["phones"].add(guardian.phone or "")
            values["texts"].update([guardian.address or "", guardian.health or ""])
            values["names"].add(guardian.name)
        for parent in child.parents:
            values["phones"].update([parent.phone or "", parent.unit_phone or ""])
            values["texts"].add(parent.unit_address or "")
            values["names"].add(parent.name or "")
    for kind in values:
        values[kind] -= {""}
    values["names"] -= teachers  # a teacher may share a name with a child; teachers are shown
    return values


def decrypted(path: Path, password: str) -> io.BytesIO:
    """The plain .xlsx inside an encrypted file (raises msoffcrypto's errors on a bad key)."""
    plain = io.BytesIO()
    with path.open("rb") as source:
        office = msoffcrypto.OfficeFile(source)
        office.load_key(password=password, verify_password=True)
        office.decrypt(plain)
    plain.seek(0)
    return plain


def read_book(path: Path, password: str | None = None) -> dict[str, Rows]:
    """Every sheet's rows (header first), decrypting with ``password`` if given."""
    source: Path | io.BytesIO = decrypted(path, password) if password else path
    book = openpyxl.load_workbook(source, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}
    finally:
        book.close()


def cells(book: dict[str, Rows]) -> Iterator[str]:
    for rows in book.values():
        for row in rows:
            for value in row:
                if value is not None:
                    yield str(value)


def leaks(book: dict[str, Rows], secrets: dict[str, set[str]]) -> list[str]:
    """The private values found in any cell: numbers and texts inside a cell, names as a cell."""
    found = []
    texts = list(cells(book))
    whole = set(texts)
    for kind in ("phones", "ids", "texts"):
        for secret in secrets[kind]:
            if any(secret in text for text in texts):
                found.append(f"{kind}: {secret}")
    found += [f"name: {name}" for name in secrets["names"] if name in whole]
    return found


def is_zip(path: Path) -> bool:
    return zipfile.is_zipfile(path)


# --- A small hand-made school whose ledger figures can be worked out by hand ---------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET_NOTE = "谈心私密内容：孩子说想妈妈"
SECRET_FOLLOW_UP = "私密跟进：联系心理老师"


def at(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=SHANGHAI)


def plan(session: Session, autumn: TermCalendar, registry: ActivityRegistry) -> None:
    plan_term(
        session, autumn, registry, actor="t", now=at(date(2026, 8, 25)), max_per_teacher_per_day=3
    )


def talk(
    session: Session, registry: ActivityRegistry, child_id: int, month: str, step: str
) -> None:
    task_id = session.scalars(
        select(Task.id)
        .join(Activity, Activity.id == Task.activity_id)
        .where(
            # a key child's first talk of the month is in the month's first half (Talk's
            # key_children_every)
            Activity.key.in_((f"talk@month:{month}", f"talk@half:{month}-1/key")),
            Task.child_id == child_id,
            Task.step == step,
        )
    ).one()
    record = {
        "date": f"{month}-15",
        "place": "心理咨询室",
        "topics": "学习与生活",
        "notes": SECRET_NOTE,
        "follow_up": SECRET_FOLLOW_UP,
    }
    complete(session, registry, task_id, record, actor="t", now=at(date(2026, 10, 15)))


def hand_made_school(
    session: Session, autumn: TermCalendar, registry: ActivityRegistry
) -> dict[str, int]:
    """Two classes; four enrolled children (a, b, c in 1班, d in 2班) and one transferred (e).

    complete records: a, b, d (c lacks the guardian's phone); five clears: a, c, d (b lacks one);
    paired: a, b, d; key targets: a (with a plan), d, and e (transferred: not counted).
    """
    school = School(code="S1", name="测试小学")
    session.add(school)
    session.flush()
    teachers = {
        code: Teacher(school_id=school.id, code=code, name=name, is_coordinator=code == "T001")
        for code, name in (
            ("T001", "关老师"),
            ("T002", "班主任甲"),
            ("T003", "班主任乙"),
            ("T004", "帮扶丙"),
        )
    }
    session.add_all(teachers.values())
    session.flush()
    one = SchoolClass(
        school_id=school.id, grade=1, name="一年级1班", head_teacher_id=teachers["T002"].id
    )
    two = SchoolClass(
        school_id=school.id, grade=1, name="一年级2班", head_teacher_id=teachers["T003"].id
    )
    session.add_all([one, two])
    session.flush()
    all_clears = list(FIVE_CLEARS)
    spec = {  # name: (class, five clears, guardian phone, status, key target, plan)
        "a": (one, all_clears, "13900000001", "enrolled", True, "每周辅导"),
        "b": (one, all_clears[:4], "13900000002", "enrolled", False, None),
        "c": (one, all_clears, None, "enrolled", False, None),
        "d": (two, all_clears, "13900000004", "enrolled", True, None),
        "e": (two, all_clears, "13900000005", "transferred", True, None),
    }
    ids: dict[str, int] = {}
    for n, (key, (klass, clears, phone, status, target, plan_text)) in enumerate(spec.items()):
        child = Child(
            school_id=school.id,
            class_id=klass.id,
            student_no=f"2026000{n}",
            name=f"学生{key.upper()}某",
            gender="male",
            birth_date=date(2019, 3, n + 1),
            left_behind_type="both",
            enrolment_status=status,
            five_clears=clears,
            key_target=target,
            individual_plan=plan_text,
            care_categories=["study"],
        )
        session.add(child)
        session.flush()
        session.add(Guardian(child_id=child.id, name="祖母某", relation="grandmother", phone=phone))
        ids[key] = child.id
    for key in ("a", "b", "d"):
        session.add(
            Pairing(child_id=ids[key], teacher_id=teachers["T004"].id, started_on=date(2026, 9, 1))
        )
    session.add(
        Pairing(
            child_id=ids["e"],
            teacher_id=teachers["T004"].id,
            started_on=date(2026, 9, 1),
            ended_on=date(2026, 9, 20),
        )
    )
    session.flush()
    plan(session, autumn, registry)
    talk(session, registry, ids["a"], "2026-10", "head_teacher_talk")
    talk(session, registry, ids["a"], "2026-10", "pairing_teacher_talk")
    talk(session, registry, ids["d"], "2026-10", "head_teacher_talk")
    # One November talk is cancelled: it is no longer due.
    cancelled = session.scalars(
        select(Task.id)
        .join(Activity, Activity.id == Task.activity_id)
        .where(Activity.key == "talk@month:2026-11", Task.child_id == ids["b"])
        .order_by(Task.id)
    ).first()
    session.execute(update(Task).where(Task.id == cancelled).values(state=TaskState.CANCELLED))
    session.commit()
    return {"school": school.id, **ids}
