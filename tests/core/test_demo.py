"""The demo school and synthetic cities: shape, balance, determinism."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from guanai.core import db
from guanai.core.demo import create_demo_school, create_synthetic_schools
from guanai.core.demo_people import CITIES, REGION_PREFIX
from guanai.core.models import Child, Guardian, Pairing, Parent, School, SchoolClass, Teacher
from guanai.core.roster.checks import birth_date_of, mobile_phone, phone, resident_id
from guanai.core.vocabulary import CARE_CATEGORIES, FIVE_CLEARS, GENDERS, GUARDIAN_RELATIONS

GRANDPARENTS = {"grandfather", "grandmother", "maternal_grandfather", "maternal_grandmother"}
AWAY = {"both": ("father", "mother"), "father": ("father",), "mother": ("mother",)}

MOBILE = re.compile(r"^1[358]\d{9}$")


def names(session: Session, school_id: int) -> list[str]:
    return list(
        session.scalars(select(Child.name).where(Child.school_id == school_id).order_by(Child.id))
    )


def test_demo_school_shape(session: Session) -> None:
    school_id = create_demo_school(session, children=300)
    assert session.get(School, school_id).code == "DEMO"
    children = session.scalars(select(Child).where(Child.school_id == school_id)).all()
    assert len(children) == 300
    assert {c.gender for c in children} == set(GENDERS)
    assert len({c.student_no for c in children}) == 300

    classes = session.scalars(select(SchoolClass).where(SchoolClass.school_id == school_id)).all()
    assert len(classes) == 12
    assert {c.grade for c in classes} == set(range(1, 7))
    assert "三年级2班" in {c.name for c in classes}
    for school_class in classes:
        assert school_class.head_teacher is not None
        assert school_class.head_teacher.school_id == school_id
    assert len({c.head_teacher_id for c in classes}) == 12

    coordinators = session.scalars(
        select(Teacher).where(Teacher.school_id == school_id, Teacher.is_coordinator)
    ).all()
    assert len(coordinators) == 1

    grade_of = {c.id: c.grade for c in classes}
    for child in children:  # grade g entered in 2027 - g, aged six by 31 August of that year
        entry = 2027 - grade_of[child.class_id]
        assert date(entry - 7, 9, 1) <= child.birth_date <= date(entry - 6, 8, 31)


def test_demo_guardians(session: Session) -> None:
    school_id = create_demo_school(session, children=120)
    guardians = session.scalars(
        select(Guardian).join(Child).where(Child.school_id == school_id)
    ).all()
    assert Counter(g.child_id for g in guardians).most_common(1)[0][1] == 1
    assert len(guardians) == 120
    assert {g.relation for g in guardians} <= set(GUARDIAN_RELATIONS)
    assert all(MOBILE.match(g.phone) for g in guardians)
    assert all(2 <= len(g.name) <= 3 for g in guardians)
    assert all(g.occupation and g.address and g.health for g in guardians)
    for guardian in guardians:
        if guardian.relation in GRANDPARENTS:
            assert 60 <= guardian.age <= 80
        else:
            assert 28 <= guardian.age <= 60


def test_a_guardian_is_never_a_parent_who_is_away(session: Session) -> None:
    school_id = create_demo_school(session, children=300)
    rows = session.execute(
        select(Child.left_behind_type, Guardian.relation)
        .join(Guardian, Guardian.child_id == Child.id)
        .where(Child.school_id == school_id)
    ).all()
    for kind, relation in rows:
        assert relation not in AWAY[kind]
    at_home = Counter(relation for kind, relation in rows if kind != "both")
    assert at_home["mother"] + at_home["father"] > 0, "the parent at home is often the guardian"


def test_parents_away_have_phones_and_workplaces(session: Session) -> None:
    school_id = create_demo_school(session, children=300)
    children = session.scalars(select(Child).where(Child.school_id == school_id)).all()
    parents = session.scalars(select(Parent).join(Child).where(Child.school_id == school_id)).all()
    by_child: dict[int, list[Parent]] = {}
    for parent in parents:
        by_child.setdefault(parent.child_id, []).append(parent)
    for child in children:
        assert {p.relation for p in by_child[child.id]} == set(AWAY[child.left_behind_type])
    cities = {city for city, _, _ in CITIES}
    for parent in parents:
        assert parent.name and 2 <= len(parent.name) <= 3
        assert mobile_phone(parent.phone) == parent.phone
        assert parent.work_city in cities
        assert parent.work_unit.startswith(parent.work_city + "某")
        if parent.unit_phone:
            assert phone(parent.unit_phone) == parent.unit_phone
    assert any(p.unit_address for p in parents) and any(p.unit_phone for p in parents)
    fathers = [p for p in parents if p.relation == "father"]
    surname = {c.id: c.name[0] for c in children}
    assert sum(p.name[0] == surname[p.child_id] for p in fathers) == len(fathers)


def test_id_numbers_are_valid_unique_and_match_birth_and_gender(session: Session) -> None:
    create_demo_school(session, code="A", children=300)
    create_synthetic_schools(session, schools=3, children_per_school=100)
    create_demo_school(session, code="B", children=300)  # same seed as A: same birth dates
    children = session.scalars(select(Child)).all()
    numbers = [c.id_number for c in children]
    assert len(set(numbers)) == len(numbers) == 900
    for child in children:
        assert resident_id(child.id_number) == child.id_number
        assert birth_date_of(child.id_number) == child.birth_date
        assert child.id_number.startswith(REGION_PREFIX)
        assert int(child.id_number[16]) % 2 == (child.gender == "male")


def test_records_are_filled_in_as_a_coordinator_would(session: Session) -> None:
    school_id = create_demo_school(session, children=300)
    children = session.scalars(select(Child).where(Child.school_id == school_id)).all()
    for child in children:
        assert set(child.care_categories) <= set(CARE_CATEGORIES)
        assert set(child.five_clears) <= set(FIVE_CLEARS)
        assert child.birth_date < child.left_behind_since <= date(2026, 8, 31)
        assert "村" in child.home_address and child.home_address.endswith("号")
        assert bool(child.individual_plan) == child.key_target
    key_targets = sum(c.key_target for c in children)
    assert 10 <= key_targets <= 50, "about one child in ten is a key assistance target"
    assert 0.3 < sum(not c.care_categories for c in children) / 300 < 0.9
    complete = sum(len(c.five_clears) == 5 for c in children)
    assert 0.6 < complete / 300 < 1


def test_demo_pairings(session: Session) -> None:
    school_id = create_demo_school(session, children=300)
    rows = session.execute(
        select(Pairing, Child, Teacher)
        .join(Child, Pairing.child_id == Child.id)
        .join(Teacher, Pairing.teacher_id == Teacher.id)
        .where(Child.school_id == school_id, Pairing.ended_on.is_(None))
    ).all()
    assert len(rows) == 300
    assert len({child.id for _, child, _ in rows}) == 300  # exactly one current pairing each
    head_teachers = set(
        session.scalars(
            select(SchoolClass.head_teacher_id).where(SchoolClass.school_id == school_id)
        )
    )
    class_of = {child.id: child.class_id for _, child, _ in rows}
    for pairing, child, teacher in rows:
        assert teacher.school_id == school_id
        assert teacher.id not in head_teachers and not teacher.is_coordinator
        assert pairing.started_on == date(2026, 9, 1)
        assert pairing.buddy_child_id != child.id
        assert class_of[pairing.buddy_child_id] == child.class_id
    load = Counter(teacher.id for _, _, teacher in rows)
    assert max(load.values()) <= 8
    assert max(load.values()) - min(load.values()) <= 1
    helped = Counter(pairing.buddy_child_id for pairing, _, _ in rows)
    assert set(helped.values()) == {1}, "each child is buddy to exactly one classmate"


def test_a_school_without_pairings(session: Session) -> None:
    create_demo_school(session, children=60, pairings=False)
    assert session.scalar(select(func.count()).select_from(Pairing)) == 0
    assert session.scalar(select(func.count()).select_from(Child)) == 60


def test_demo_is_deterministic(session: Session) -> None:
    first = create_demo_school(session, code="A", seed=7, children=60)
    second = create_demo_school(session, code="B", seed=7, children=60)
    other = create_demo_school(session, code="C", seed=8, children=60)
    assert names(session, first) == names(session, second)
    assert names(session, first) != names(session, other)


def test_demo_does_not_commit(engine: Engine) -> None:
    with db.session_factory(engine)() as session:
        create_demo_school(session, children=30)
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Child)) == 0


def test_tiny_school_has_no_self_buddy(session: Session) -> None:
    school_id = create_demo_school(session, children=13)  # one class has two, the rest one
    pairings = session.scalars(
        select(Pairing)
        .join(Child, Pairing.child_id == Child.id)
        .where(Child.school_id == school_id)
    ).all()
    assert len(pairings) == 13
    assert sum(p.buddy_child_id is None for p in pairings) == 11


def test_synthetic_schools(engine: Engine) -> None:
    with engine.begin() as connection:
        ids = create_synthetic_schools(connection, schools=25, children_per_school=40, seed=3)
    with db.session_factory(engine)() as session:
        assert len(ids) == len(set(ids)) == 25
        assert session.scalar(select(func.count()).select_from(Child)) == 25 * 40
        assert session.scalar(select(func.count()).select_from(Guardian)) == 25 * 40
        parents = session.scalar(select(func.count()).select_from(Parent))
        assert 25 * 40 < parents < 2 * 25 * 40
        numbers = session.scalars(select(Child.id_number)).all()
        assert len(set(numbers)) == 25 * 40 and None not in numbers
        distinct = session.execute(
            select(Child.school_id, func.count(func.distinct(Child.student_no))).group_by(
                Child.school_id
            )
        ).all()
        assert sorted(distinct) == [(school_id, 40) for school_id in sorted(ids)]
        coordinators = session.scalar(
            select(func.count()).select_from(Teacher).where(Teacher.is_coordinator)
        )
        assert coordinators == 25
        cross_school = session.scalar(
            select(func.count())
            .select_from(Pairing)
            .join(Child, Pairing.child_id == Child.id)
            .join(Teacher, Pairing.teacher_id == Teacher.id)
            .where(Child.school_id != Teacher.school_id)
        )
        assert cross_school == 0
        assert len(set(session.scalars(select(School.name)))) == 25


def test_synthetic_schools_append_after_existing_rows(session: Session) -> None:
    demo = create_demo_school(session, children=50)
    ids = create_synthetic_schools(session, schools=3, children_per_school=20)
    more = create_synthetic_schools(session, schools=2, children_per_school=20)
    assert demo < ids[0] and ids[-1] < more[0]
    session.add(School(code="ORM", name="后加小学"))  # autoincrement still works afterwards
    session.flush()
    assert session.scalar(select(func.count()).select_from(Child)) == 50 + 5 * 20


def test_classes_per_grade(session: Session) -> None:
    ids = create_synthetic_schools(session, schools=2, children_per_school=90, classes_per_grade=5)
    per_school = session.execute(
        select(SchoolClass.school_id, func.count()).group_by(SchoolClass.school_id)
    ).all()
    assert sorted(per_school) == [(school_id, 30) for school_id in ids]
    assert (
        session.scalar(
            select(func.count()).select_from(SchoolClass).where(SchoolClass.name == "六年级5班")
        )
        == 2
    )
