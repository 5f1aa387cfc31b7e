"""The roster window: keyset pages, prefix search, filters and counts, all from SQL."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from export_samples import plan
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guanai.core.access import Viewer
from guanai.core.calendar import load_calendar
from guanai.core.dashboard_data.children import (
    RosterFilter,
    roster_count,
    roster_page,
)
from guanai.core.demo import create_demo_school
from guanai.core.engine import complete
from guanai.core.models import Activity, Child, Pairing, SchoolClass, Task
from guanai.core.pm import build_plugin_manager

COORDINATOR = Viewer("office", "coordinator")
BUREAU = Viewer("bureau", "bureau")
NOW = datetime(2026, 10, 20, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def school(session: Session, children: int = 50) -> int:
    school_id = create_demo_school(session, children=children)
    session.commit()
    return school_id


def every_key(session: Session, wanted: RosterFilter, size: int) -> list[tuple[int, str]]:
    keys, after = [], None
    while True:
        page = roster_page(session, COORDINATOR, wanted, after=after, size=size)
        keys += [row.key for row in page.rows]
        if not page.has_next:
            return keys
        after = page.rows[-1].key


def test_pages_walk_the_roster_in_class_and_number_order_both_ways(session: Session) -> None:
    school(session)
    keys = sorted(tuple(row) for row in session.execute(select(Child.class_id, Child.student_no)))
    assert every_key(session, RosterFilter(), size=7) == keys
    last = roster_page(session, COORDINATOR, RosterFilter(), after=keys[-8], size=7)
    assert [row.key for row in last.rows] == keys[-7:]
    assert not last.has_next and last.has_previous
    back = roster_page(session, COORDINATOR, RosterFilter(), before=last.rows[0].key, size=7)
    assert [row.key for row in back.rows] == keys[-14:-7]
    assert back.has_previous and back.has_next
    first = roster_page(session, COORDINATOR, RosterFilter(), before=keys[3], size=7)
    assert len(first.rows) == 3 and not first.has_previous


def test_search_is_a_prefix_of_the_name_or_of_the_student_number(session: Session) -> None:
    school(session)
    name = session.scalar(select(Child.name).order_by(Child.id).limit(1))
    assert name
    by_name = RosterFilter(search=name[0])
    expected = session.scalar(select(Child.id).where(Child.name.startswith(name[0])).limit(1))
    found = roster_page(session, COORDINATOR, by_name).rows
    assert found and all(row.name.startswith(name[0]) for row in found)
    assert expected in {row.child_id for row in found}
    assert roster_count(session, COORDINATOR, by_name) == len(found)
    numbers = roster_page(session, COORDINATOR, RosterFilter(search=" 2026010 ")).rows
    assert numbers and all(row.student_no.startswith("2026010") for row in numbers)
    for odd in ("%", "_", "2026%", "'"):  # LIKE wildcards and quotes are plain characters
        assert roster_count(session, COORDINATOR, RosterFilter(search=odd)) == 0


def test_filters_and_counts_come_from_sql(session: Session) -> None:
    school(session)
    session.execute(update(Child).where(Child.id <= 3).values(key_target=True, gender=None))
    session.execute(update(Pairing).where(Pairing.child_id <= 2).values(ended_on=NOW.date()))
    session.commit()
    total = roster_count(session, COORDINATOR, RosterFilter())
    assert total == 50
    unpaired = roster_page(session, COORDINATOR, RosterFilter(unpaired=True)).rows
    assert {row.child_id for row in unpaired} == {1, 2}
    assert all(row.teacher is None for row in unpaired)
    incomplete = roster_page(session, COORDINATOR, RosterFilter(incomplete=True)).rows
    assert {1, 2, 3} <= {row.child_id for row in incomplete}
    assert not any(row.complete for row in incomplete)
    assert roster_count(session, COORDINATOR, RosterFilter(incomplete=True)) == len(incomplete)
    key_targets = roster_page(session, COORDINATOR, RosterFilter(key_target=True)).rows
    assert {1, 2, 3} <= {row.child_id for row in key_targets}
    assert all(row.key_target for row in key_targets)
    grade_2 = roster_page(session, COORDINATOR, RosterFilter(grade=2)).rows
    assert grade_2 and {row.grade for row in grade_2} == {2}
    class_id = session.scalar(select(SchoolClass.id).where(SchoolClass.grade == 3).limit(1))
    in_class = roster_page(session, COORDINATOR, RosterFilter(class_id=class_id)).rows
    assert in_class and {row.class_id for row in in_class} == {class_id}
    both = RosterFilter(grade=1, unpaired=True)
    assert roster_count(session, COORDINATOR, both) == len(
        [row for row in unpaired if row.grade == 1]
    )


def test_names_are_masked_for_a_viewer_who_may_not_see_the_child(session: Session) -> None:
    school(session, children=12)
    clear = roster_page(session, COORDINATOR, RosterFilter()).rows
    masked = roster_page(session, BUREAU, RosterFilter()).rows
    assert all("*" not in row.name for row in clear)
    for shown, hidden in zip(clear, masked, strict=True):
        assert hidden.name == shown.name[0] + "*" * max(1, len(shown.name) - 1)


def test_a_viewer_bound_to_a_school_sees_only_that_school(session: Session) -> None:
    first = school(session, children=12)
    create_demo_school(session, code="OTHER", name="另一所小学", children=12, seed=7)
    session.commit()
    bound = Viewer("office", "coordinator", school_id=first)
    assert roster_count(session, bound, RosterFilter()) == 12
    assert roster_count(session, COORDINATOR, RosterFilter()) == 24
    assert {row.school_id for row in roster_page(session, bound, RosterFilter()).rows} == {first}


def test_the_last_talk_is_the_day_the_latest_talk_was_held_not_when_it_was_recorded(
    session: Session,
) -> None:
    school(session, children=6)
    registry = build_plugin_manager(load_entry_points=False).activity_registry()
    plan(session, load_calendar("2026-autumn"), registry)
    child_id = session.scalar(select(Child.id).order_by(Child.class_id, Child.student_no))
    for month, held, recorded in (("2026-10", "2026-10-12", 13), ("2026-09", "2026-09-14", 15)):
        task_id = session.scalar(
            select(Task.id)
            .join(Activity, Activity.id == Task.activity_id)
            .where(  # a key target's first talk of the month is in its first half
                Activity.key.in_((f"talk@month:{month}", f"talk@half:{month}-1/key")),
                Task.child_id == child_id,
            )
            .where(Task.step == "head_teacher_talk")
        )
        record = {"date": held, "place": "教室", "topics": "学习", "notes": "好"}
        complete(session, registry, task_id, record, actor="t", now=NOW.replace(day=recorded))
    session.commit()
    [row] = [
        r for r in roster_page(session, COORDINATOR, RosterFilter()).rows if r.child_id == child_id
    ]
    assert row.last_talk == date(2026, 10, 12)  # the September talk was recorded later
