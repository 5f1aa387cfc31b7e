"""Synthetic schools with invented names: the ``guanai demo`` school and benchmark cities.

Every school has the same shape: grades 1-6 with two classes each (``三年级2班``), a head teacher
per class, one coordinator, and enough subject teachers that each pairs with at most six
children. Each left-behind child gets a full record (档案): a synthetic resident ID number that
passes the check-digit test, a village address, care categories for some, an individual plan
for the ~10% who are key assistance targets (重点帮扶对象), the "five clears" (most complete);
a guardian (the parent at home or a grandparent aged 60-80) with occupation, address, health
and age; a Parent row for each parent working away, with a phone, work city and unit; and a
current pairing (结对帮扶) with a subject teacher and a classmate as buddy. A synthetic school has
run guanai since the school year began (``planned_from`` = 1 September 2026, the day its
pairings start), so planning it at any time of the term leaves nothing out, and its children
have no ``joined_on``: the demo shows a whole term's work. Everything is invented (see
:mod:`guanai.core.demo_people`); teacher e-mail uses the ``.example`` domain.

Rows are built as tuples in Python a few schools at a time and written with
:func:`guanai.core.bulk.insert_rows` (driver executemany on SQLite, COPY on PostgreSQL), so a
city of 1,000 schools never sits in memory and SQLAlchemy's per-row parameter processing is
skipped. Primary keys are assigned explicitly, counting up from each table's ``max(id)`` read
at the start; on PostgreSQL the ``id`` sequences are then moved past the new rows with
``setval``. This assumes no concurrent writer to these tables while the generator runs (a demo
or benchmark database). The functions never commit: the caller owns the transaction.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.orm import Session

from guanai.core import demo_people as people
from guanai.core.bulk import insert_rows
from guanai.core.models import (
    Base,
    Child,
    Guardian,
    Pairing,
    Parent,
    School,
    SchoolClass,
    Teacher,
)

SCHOOL_YEAR = 2026
STARTED_ON = date(SCHOOL_YEAR, 9, 1)
LAST_SUMMER_DAY = date(SCHOOL_YEAR, 8, 31)
GRADES = range(1, 7)
CLASSES_PER_GRADE = 2
CHILDREN_PER_TEACHER = 6
CHUNK_SCHOOLS = 20  # schools built in Python before one bulk insert per table

_MODELS = (School, Teacher, SchoolClass, Child, Guardian, Parent, Pairing)  # parents first
_TABLES: list[Table] = [Base.metadata.tables[m.__tablename__] for m in _MODELS]
_COLUMNS: dict[str, tuple[str, ...]] = {
    "school": ("id", "code", "name", "planned_from"),
    "teacher": ("id", "school_id", "code", "name", "phone", "email", "is_coordinator"),
    "school_class": ("id", "school_id", "grade", "name", "head_teacher_id"),
    "child": (
        "id", "school_id", "class_id", "student_no", "name", "gender", "birth_date", "id_number",
        "enrolment_status", "left_behind_type", "left_behind_since", "home_address",
        "care_categories", "key_target", "individual_plan", "five_clears",
    ),
    "guardian": (
        "id", "child_id", "name", "relation", "phone", "occupation", "address", "health", "age",
    ),
    "parent": (
        "id", "child_id", "relation", "name", "phone", "work_city", "work_unit", "unit_address",
        "unit_phone",
    ),
    "pairing": ("id", "child_id", "teacher_id", "buddy_child_id", "started_on", "ended_on"),
}  # fmt: skip
_LEFT_BEHIND = (("both", "father", "mother"), (60, 85, 100))
_AWAY = {"both": ("father", "mother"), "father": ("father",), "mother": ("mother",)}
_RELATIONS = (
    ("grandmother", "grandfather", "maternal_grandmother", "maternal_grandfather", "relative"),
    (40, 65, 82, 92, 100),
)
_GRANDPARENTS = frozenset(_RELATIONS[0][:4])
_MEN = frozenset(("grandfather", "maternal_grandfather", "father"))


def create_demo_school(
    session: Session | Connection,
    *,
    code: str = "DEMO",
    name: str = "关爱示范小学",
    children: int = 300,
    seed: int = 2026,
    classes_per_grade: int | None = None,
    pairings: bool = True,
) -> int:
    """Insert one demo school with ``children`` left-behind children; return its id.

    ``pairings=False`` leaves every child unpaired, as a school is before ``guanai pair``.
    """
    builder = _Builder(session, random.Random(seed), "", classes_per_grade, pairings)
    return builder.run([(code, name, children)])[0]


def create_synthetic_schools(
    connection_or_session: Session | Connection,
    *,
    schools: int,
    children_per_school: int,
    seed: int = 2026,
    code_prefix: str = "SYN",
    classes_per_grade: int | None = None,
    pairings: bool = True,
) -> list[int]:
    """Insert ``schools`` schools of ``children_per_school`` children each; return their ids.

    School codes are ``<code_prefix><school id>``, so repeated calls never collide.
    ``classes_per_grade`` defaults to the module's ``CLASSES_PER_GRADE``, read at call time.
    """
    builder = _Builder(
        connection_or_session, random.Random(seed), code_prefix, classes_per_grade, pairings
    )
    taken: set[str] = set()
    specs = ((None, builder.school_name(taken), children_per_school) for _ in range(schools))
    return builder.run(specs)


class _Builder:
    """Builds rows with explicit ids a chunk of schools at a time and inserts them."""

    def __init__(
        self,
        target: Session | Connection,
        rng: random.Random,
        prefix: str,
        classes_per_grade: int | None,
        pairings: bool,
    ) -> None:
        # insert_rows works on a session; a bare connection is joined by one that never
        # commits or rolls back the caller's transaction.
        self.session = target if isinstance(target, Session) else Session(bind=target)
        self.conn = self.session.connection()
        self.rng = rng
        self.prefix = prefix
        self.classes_per_grade = classes_per_grade or CLASSES_PER_GRADE
        self.pairings = pairings
        self.rows: dict[str, list[tuple[Any, ...]]] = {t.name: [] for t in _TABLES}
        self.last_id = {
            t.name: self.conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()
            for t in _TABLES
        }
        child = Child.__table__.c
        prefix_like = child.id_number.like(people.REGION_PREFIX + "%")
        taken = {n for n in self.conn.scalars(select(child.id_number).where(prefix_like)) if n}
        self.id_numbers = people.IdNumbers(taken)

    def run(self, specs: Iterable[tuple[str | None, str, int]]) -> list[int]:
        school_ids = []
        for count, (code, name, children) in enumerate(specs, start=1):
            school_ids.append(self.school(code, name, children))
            if count % CHUNK_SCHOOLS == 0:
                self.flush()
        self.flush()
        if self.conn.dialect.name == "postgresql":
            for t in _TABLES:  # setval is strict: an empty table leaves its sequence alone
                sequence = f"pg_get_serial_sequence('{t.name}', 'id')"
                self.conn.execute(text(f"SELECT setval({sequence}, MAX(id)) FROM {t.name}"))
        return school_ids

    def flush(self) -> None:
        for table in _TABLES:  # parents before children, for the foreign keys
            if rows := self.rows[table.name]:
                insert_rows(self.session, table, _COLUMNS[table.name], rows)
                rows.clear()

    def add(self, table: str, *values: Any) -> int:
        """Queue a row (``values`` in ``_COLUMNS`` order after the id); return its id."""
        row_id = self.last_id[table] = self.last_id[table] + 1
        self.rows[table].append((row_id, *values))
        return row_id

    def teacher(self, school_id: int, number: int, coordinator: bool = False) -> int:
        name = people.surname(self.rng) + people.one(self.rng, people.ADULTS)
        email = f"t{self.last_id['teacher'] + 1}@school{school_id}.example"
        return self.add("teacher", school_id, f"T{number:03d}", name, None, email, coordinator)

    def school(self, code: str | None, name: str, children: int) -> int:
        rng = self.rng
        school_id = self.last_id["school"] + 1
        self.add("school", code or f"{self.prefix}{school_id:06d}", name, STARTED_ON)
        place = _Place(rng, school_id, name)
        self.teacher(school_id, 1, coordinator=True)
        classes = []
        for grade in GRADES:
            for number in range(1, self.classes_per_grade + 1):
                head = self.teacher(school_id, len(classes) + 2)
                class_name = f"{people.CN_DIGITS[grade]}年级{number}班"
                class_id = self.add("school_class", school_id, grade, class_name, head)
                classes.append((class_id, grade, number))
        first_pairer = len(classes) + 2
        pairers = [
            self.teacher(school_id, first_pairer + n)
            for n in range(math.ceil(children / CHILDREN_PER_TEACHER))
        ]
        # Children are spread evenly over the classes, and in class order over the pairing
        # teachers in contiguous blocks, so a teacher's children share one or two classes.
        index = 0
        for position, (class_id, grade, number) in enumerate(classes):
            size = (position + 1) * children // len(classes) - position * children // len(classes)
            entry_year = SCHOOL_YEAR - grade + 1
            born_from = date(entry_year - 7, 9, 1)  # six years old by 31 August of entry year
            first_id = self.last_id["child"] + 1
            buddies = _buddy_ring(rng, size) if self.pairings else {}
            for seq in range(size):
                student_no = f"{entry_year}{number:02d}{seq + 1:03d}"
                child_id = self.child(school_id, class_id, student_no, born_from, place)
                if not self.pairings:
                    continue
                buddy = buddies.get(seq)
                teacher_id = pairers[index * len(pairers) // children]
                self.add(
                    "pairing",
                    child_id,
                    teacher_id,
                    None if buddy is None else first_id + buddy,
                    STARTED_ON,
                    None,
                )
                index += 1
        return school_id

    def child(
        self, school_id: int, class_id: int, student_no: str, born_from: date, place: _Place
    ) -> int:
        """One child's record, guardian and away parents; returns the child's id."""
        rng = self.rng
        family = people.surname(rng)
        male = rng.random() < 0.52
        pools = people.BOY if male else people.GIRL
        given = people.one(rng, pools[1])
        if rng.random() >= 0.2:
            given = people.one(rng, pools[0]) + given
        birth = born_from + timedelta(days=people.below(rng, 365))
        kind = people.pick(rng, *_LEFT_BEHIND)
        home = place.address(rng)
        categories = people.care_categories(rng)
        key_target = bool(categories) and rng.random() < 0.25  # about one child in ten
        child_id = self.add(
            "child",
            school_id,
            class_id,
            student_no,
            family + given,
            "male" if male else "female",
            birth,
            self.id_numbers.issue(place.county, birth, male),
            "enrolled",
            kind,
            _left_behind_since(rng, birth),
            home,
            people.as_json(categories),
            key_target,
            people.individual_plan(categories) if key_target else None,
            people.as_json(people.five_clears(rng)),
        )
        self.guardian(child_id, family, kind, home, place)
        self.parents(child_id, family, kind)
        return child_id

    def guardian(self, child_id: int, family: str, kind: str, home: str, place: _Place) -> None:
        """The adult at home: usually the parent who stayed, else a grandparent or relative."""
        rng = self.rng
        draw = rng.random()
        if kind == "father" and draw < 0.7:
            relation = "mother"
        elif kind == "mother" and draw < 0.6:
            relation = "father"
        else:
            relation = people.pick(rng, *_RELATIONS)
        # The paternal side shares the child's surname; Chinese wives keep their own.
        surname = family if relation in ("grandfather", "father") else people.surname(rng)
        male = relation in _MEN or (relation == "relative" and rng.random() < 0.5)
        elder = relation in _GRANDPARENTS
        if elder:
            given = people.one(rng, people.OLD_MEN if male else people.OLD_WOMEN)
            age = people.between(rng, 60, 80)
        else:
            given = people.one(rng, people.MEN if male else people.WOMEN)
            age = (
                people.between(rng, 28, 45)
                if relation in ("father", "mother")
                else people.between(rng, 30, 60)
            )
        moved = (relation == "relative" and rng.random() < 0.5) or (elder and rng.random() < 0.1)
        self.add(
            "guardian",
            child_id,
            surname + given,
            relation,
            people.mobile(rng),
            people.one(rng, people.GUARDIAN_WORK[not elder]),
            place.address(rng) if moved else home,
            people.one(rng, people.GUARDIAN_HEALTH[not elder]),
            age,
        )

    def parents(self, child_id: int, family: str, kind: str) -> None:
        """A Parent row for each parent working away; couples often work in the same city."""
        rng = self.rng
        shared: tuple[Any, ...] | None = None
        for relation in _AWAY[kind]:
            if relation == "father":
                name = family + people.one(rng, people.MEN)
            else:
                name = people.surname(rng) + people.one(rng, people.WOMEN)
            if shared is not None and rng.random() < 0.7:
                work = shared if rng.random() < 0.5 else _work(rng, shared[0])
            else:
                work = _work(rng, None)
            shared = work
            self.add("parent", child_id, relation, name, people.mobile(rng), *work[1:])

    def school_name(self, taken: set[str]) -> str:
        for _ in range(20):
            name = people.place_name(self.rng) + people.one(self.rng, people.SCHOOL_KIND)
            if name not in taken:
                break
        else:  # a big city runs out of combinations: number the schools of a town
            name = f"{name[:2]}镇第{len(taken) + 1}小学"
        taken.add(name)
        return name


class _Place:
    """Where a school's children live: a county, the school's town and a few villages."""

    def __init__(self, rng: random.Random, school_id: int, school_name: str) -> None:
        self.county = school_id % len(people.COUNTIES)
        county = people.COUNTIES[self.county]
        if len(school_name) > 2 and school_name[2] in "镇乡":
            town = school_name[:3]
        else:
            town = people.place_name(rng) + "镇"
        self.prefix = county + town
        self.villages = [people.place_name(rng) + "村" for _ in range(6)]

    def address(self, rng: random.Random) -> str:
        village = people.one(rng, self.villages)
        return f"{self.prefix}{village}{people.between(rng, 1, 12)}组{people.between(rng, 1, 80)}号"


def _buddy_ring(rng: random.Random, size: int) -> dict[int, int]:
    """Each child of a class of ``size`` is buddy (学习帮手) to exactly one classmate.

    The class in a shuffled ring, each child helped by the next: nobody helps two, nobody
    helps themselves; a child alone in the class has no buddy.
    """
    if size < 2:
        return {}
    ring = list(range(size))
    rng.shuffle(ring)
    return {child: ring[(position + 1) % size] for position, child in enumerate(ring)}


def _left_behind_since(rng: random.Random, birth: date) -> date:
    """Parents mostly leave after the Spring Festival, when the child is one year old or more."""
    year = people.between(rng, birth.year + 1, SCHOOL_YEAR)
    if rng.random() < 0.7:
        since = date(year, 2, people.between(rng, 10, 28))
    else:
        since = date(year, people.between(rng, 1, 8 if year == SCHOOL_YEAR else 12), 1)
    return min(max(since, birth + timedelta(days=365)), LAST_SUMMER_DAY)


def _work(rng: random.Random, city: int | None) -> tuple[Any, ...]:
    """(city index, work city, unit, unit address, unit phone) of a parent working away."""
    if city is None:
        city = people.pick_index(rng, people.CITY_CUM)
    name, area_code, districts = people.CITIES[city]
    unit = f"{name}某{people.one(rng, people.UNITS)}"
    address = None
    if rng.random() < 0.7:
        address = f"{name}市{people.one(rng, districts)}某{people.one(rng, people.UNIT_SITES)}"
    phone = people.unit_phone(rng, area_code) if rng.random() < 0.4 else None
    return city, name, unit, address, phone
