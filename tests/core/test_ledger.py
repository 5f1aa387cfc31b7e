"""The bureau's ledgers: five sheets, figures counted right, nothing private for the bureau."""

from __future__ import annotations

from datetime import date

import pytest
from export_samples import (
    SECRET_FOLLOW_UP,
    SECRET_NOTE,
    at,
    cells,
    fill_contact_cards,
    hand_made_school,
    is_zip,
    leaks,
    plan,
    private_values,
    read_book,
    talk,
)
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guanai.core.access import AccessError, Viewer
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.calendar import TermCalendar, load_calendar
from guanai.core.demo import create_demo_school
from guanai.core.engine import complete
from guanai.core.errors import NotFoundError
from guanai.core.ledgers import write_ledger
from guanai.core.ledgers.summary import BY_CLASS, CONTACT, KEY_TARGETS, OVERALL, TALKS, TOTAL
from guanai.core.models import Activity, Child, Pairing, Task
from guanai.core.pm import build_plugin_manager

COORDINATOR = Viewer("关爱办", "coordinator")
BUREAU = Viewer("教育局", "bureau")
PASSWORD = "ledger-pw"
# the types' record sheets in the order of their first type's name (child_letter, family_phone,
# guardian_meeting, home_visit, individual_plan_review, learning_support_check)
SHEETS = ["留守儿童花名册", "结对帮扶", "谈心记录", "书信记录", "电话联系记录", "会议记录", "家访记录",
          "个别教育方案跟进记录", "学习帮扶检查记录", "帮扶计划", "活动开展", "汇总"]  # fmt: skip
MONTHS = ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]


@pytest.fixture(scope="module")
def registry() -> ActivityRegistry:
    return build_plugin_manager(load_entry_points=False).activity_registry()


@pytest.fixture(scope="module")
def autumn() -> TermCalendar:
    return load_calendar("2026-autumn")


def section(rows: list[tuple], title: str) -> list[tuple]:
    """The data rows of one section of the summary sheet (after its title and header)."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == title) + 2
    end = next((i for i in range(start, len(rows)) if not rows[i] or rows[i][0] is None), None)
    return [row[: len(rows[start - 1])] for row in rows[start:end]]


# --- A small hand-made school whose figures can be worked out by hand ------------------------


@pytest.fixture
def small(session: Session, autumn: TermCalendar, registry: ActivityRegistry) -> dict[str, int]:
    """Two classes; four enrolled children (a, b, c in 1班, d in 2班) and one transferred (e).

    complete records: a, b, d (c lacks the guardian's phone); five clears: a, c, d (b lacks one);
    paired: a, b, d; key targets: a (with a plan), d, and e (transferred: not counted).
    """
    return hand_made_school(session, autumn, registry)


def test_the_ledger_has_five_sheets_in_order(session, small, registry, tmp_path):
    path = tmp_path / "ledger.xlsx"
    summary = write_ledger(session, path, registry=registry, viewer=COORDINATOR)
    assert list(read_book(path)) == SHEETS
    assert summary.term_key == "2026-autumn" and summary.schools == 1


def test_summary_figures_on_a_hand_made_school(session, small, registry, tmp_path):
    path = tmp_path / "ledger.xlsx"
    summary = write_ledger(
        session, path, registry=registry, viewer=COORDINATOR, today=date(2026, 11, 1)
    )
    rows = read_book(path)["汇总"]
    assert rows[1][:2] == ("学期", "2026—2027学年第一学期（2026-autumn）")
    # enrolled 4; complete records a, b, d (c lacks the guardian's phone; b's missing clear
    # does not count against its record); all five clears a, c, d; paired a, b, d. Talks due
    # on 1 November, when only September's and October's talks have begun (November's start
    # on Monday the 2nd): 2 months x 2 steps for b and c; 4 half months x 2 steps for the key
    # targets a and d (a talk every half month); the welcome-back week's first talk of each
    # of the four; three held.
    due = 2 * 2 * 2 + 4 * 2 * 2 + 4
    assert section(rows, OVERALL) == [
        ("测试小学", 4, 3, 0.75, 3, 0.75, 3, 0.75, due, 3, pytest.approx(3 / due), 2)
    ]
    assert section(rows, BY_CLASS) == [
        ("测试小学", "一年级1班", 3, 2, 2 / 3, 2, 2 / 3, 2, 2 / 3, 1),
        ("测试小学", "一年级2班", 1, 1, 1.0, 1, 1.0, 1, 1.0, 1),
    ]
    talks = {(row[1], row[2]): (row[3], row[4]) for row in section(rows, TALKS)}
    assert talks == {  # b and c 2 talks a month, a 4; d 4; in September a first talk each
        ("2026-09", "一年级1班"): (8 + 3, 0),
        ("2026-09", "一年级2班"): (4 + 1, 0),
        ("2026-10", "一年级1班"): (8, 2),
        ("2026-10", "一年级2班"): (4, 1),
    }, "months not begun are not due"
    targets = section(rows, KEY_TARGETS)
    assert [(row[2], row[3], row[4], row[5], row[6]) for row in targets] == [
        ("20260000", "学生A某", "学业困难", "有", "帮扶丙"),
        ("20260003", "学生D某", "学业困难", "无", "帮扶丙"),
    ]
    assert summary.key_targets == 2


def test_at_the_end_of_term_every_month_is_due(session, small, registry, tmp_path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(session, path, registry=registry, viewer=COORDINATOR, today=date(2027, 1, 31))
    rows = read_book(path)["汇总"]
    # 5 months x 2 steps for b and c, one cancelled; 10 half months x 2 steps for a and d;
    # four first talks
    due = 5 * 2 * 2 - 1 + 10 * 2 * 2 + 4
    assert section(rows, OVERALL)[0][8:11] == (due, 3, pytest.approx(3 / due))
    assert {row[1] for row in section(rows, TALKS)} == set(MONTHS)


def test_a_welcome_back_first_talk_is_a_talk_in_the_ledger(session, small, registry, tmp_path):
    task_id = session.scalars(
        select(Task.id).where(Task.child_id == small["b"], Task.step == "first_talk")
    ).one()
    record = {"date": "2026-09-08", "place": "教室", "topics": "新学期打算", "notes": SECRET_NOTE}
    complete(session, registry, task_id, record, actor="t", now=at(date(2026, 9, 8)))
    session.commit()
    path = tmp_path / "ledger.xlsx"
    write_ledger(session, path, registry=registry, viewer=COORDINATOR, today=date(2026, 11, 1))
    book = read_book(path)
    [first] = [row for row in book["谈心记录"][1:] if row[3] == "20260001"]
    assert (
        first[1] == "2026-09" and first[5] == "开学首次谈心" and first[7].date() == date(2026, 9, 8)
    )
    assert section(book["汇总"], OVERALL)[0][9] == 3 + 1, "held"
    assert not any(SECRET_NOTE in text for text in cells(book)), "the notes stay private"


def test_pairing_talk_and_activity_sheets(session, small, registry, tmp_path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(session, path, registry=registry, viewer=COORDINATOR)
    book = read_book(path)
    pairings = {row[2]: row for row in book["结对帮扶"][1:]}
    assert set(pairings) == {"20260000", "20260001", "20260002", "20260003"}, "enrolled only"
    assert pairings["20260000"][4:6] == ("帮扶丙", "T004") and pairings["20260000"][9] == "已结对"
    assert pairings["20260002"][9] == "未结对"
    talks = book["谈心记录"]
    assert list(talks[0]) == [
        "学校", "月份", "班级", "学号", "儿童姓名", "谈心类型", "谈心教师",
        "谈心日期", "谈心地点", "谈心主题",
    ]  # fmt: skip
    assert sorted((row[3], row[5]) for row in talks[1:]) == [
        ("20260000", "帮扶教师谈心"),
        ("20260000", "班主任谈心"),
        ("20260003", "班主任谈心"),
    ]
    assert {row[8] for row in talks[1:]} == {"心理咨询室"}
    activities = {row[2]: row for row in book["活动开展"][1:]}
    october = activities["talk@month:2026-10"]  # b's and c's: none held
    assert october[1] == "谈心" and october[5:8] == (0, 4, 0) and october[8] == "未开展"
    early_october = activities["talk@half:2026-10-1/key"]  # the key targets a's and d's
    assert early_october[5:8] == (3, 4, 3 / 4) and early_october[8] == "进行中"
    assert activities["talk@month:2026-11"][6] == 3, "a cancelled task is not due"


def test_a_buddy_off_the_roster_is_in_the_pairing_sheet_by_name_masked_for_the_bureau(
    session, small, registry, tmp_path
):
    pairing = session.scalars(
        select(Pairing)
        .join(Child, Child.id == Pairing.child_id)
        .where(Child.student_no == "20260000", Pairing.ended_on.is_(None))
    ).one()
    pairing.buddy_child_id, pairing.buddy_name = None, "王小红"
    session.commit()
    for viewer, shown in ((COORDINATOR, "王小红"), (BUREAU, "王**")):
        path = tmp_path / f"{viewer.role}.xlsx"
        write_ledger(session, path, registry=registry, viewer=viewer, password="pw")
        row = next(r for r in read_book(path, "pw")["结对帮扶"][1:] if r[2] == "20260000")
        assert row[6:8] == (shown, None), "by name, without a student no."


def done(session: Session, registry: ActivityRegistry, task_id: int, record: dict) -> None:
    complete(session, registry, task_id, record, actor="t", now=at(date(2026, 11, 20)))


def test_home_visits_and_meetings_have_record_sheets_without_private_fields(
    session, small, registry, tmp_path
):
    visit = session.scalars(
        select(Task.id).where(Task.child_id == small["b"], Task.step == "visit")
    ).one()
    done(
        session,
        registry,
        visit,
        {
            "date": "2026-11-18",
            "visited": "监护人",
            "findings": SECRET_NOTE,
            "follow_up": SECRET_FOLLOW_UP,
        },
    )
    meeting = session.execute(
        select(Task.id, Task.activity_id, Task.subject)
        .join(Activity, Activity.id == Task.activity_id)
        .where(Activity.type == "guardian_meeting", Task.step == "hold_meeting")
    ).first()
    invite = session.scalars(
        select(Task.id).where(
            Task.activity_id == meeting.activity_id,
            Task.subject == meeting.subject,
            Task.step == "invite_guardians",
        )
    ).one()
    done(session, registry, invite, {})
    done(
        session,
        registry,
        meeting.id,
        {"date": "2026-11-12", "attendees": 3, "topics": "期中总结", "notes": SECRET_NOTE},
    )
    session.commit()
    for viewer, child_name in ((COORDINATOR, "学生B某"), (BUREAU, "学***")):
        path = tmp_path / f"{viewer.role}.xlsx"
        write_ledger(session, path, registry=registry, viewer=viewer, password="pw")
        book = read_book(path, "pw")
        assert list(book) == SHEETS
        visits = book["家访记录"]
        assert list(visits[0]) == [
            "学校",
            "月份",
            "班级",
            "学号",
            "儿童姓名",
            "事项",
            "负责人",
            "家访日期",
            "家访对象",
        ]
        [row] = visits[1:]
        assert row[:7] == (
            "测试小学",
            "2026-10",
            "一年级1班",
            "20260001",
            child_name,
            "家访：入户家访",
            "帮扶丙",
        )
        assert row[7].date() == date(2026, 11, 18) and row[8] == "监护人"
        [held] = book["会议记录"][1:]
        assert held[5] == "监护人会：召开监护人会" and held[4] is None, "a class's meeting"
        assert list(book["会议记录"][0])[7:] == [
            "会议日期", "到会人数", "会议内容", "方案要点", "日期", "主题", "参加家长人数", "小结",
            "教师人数", "学生人数", "家长人数", "座谈纪要",
        ]  # fmt: skip
        assert held[8:10] == (3, "期中总结")
        texts = list(cells(book))
        assert not any(SECRET_NOTE in t or SECRET_FOLLOW_UP in t for t in texts)
        contact = section(book["汇总"], CONTACT)
        header = next(i for i, r in enumerate(book["汇总"]) if r and r[0] == CONTACT) + 1
        titles = list(book["汇总"][header][3:])
        assert titles == [t for t in SHEETS if t.endswith("记录") and t != "谈心记录"]
        counts = {(row[1], row[2]): dict(zip(titles, row[3:], strict=True)) for row in contact}
        assert counts[("2026-10", "一年级1班")]["家访记录"] == 1
        for title in titles:  # by month and class, the rows each record sheet lists
            assert sum(c[title] for c in counts.values()) == len(book[title]) - 1


def test_the_talk_sheet_never_holds_the_private_notes(session, small, registry, tmp_path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(session, path, registry=registry, viewer=COORDINATOR, password=PASSWORD)
    texts = [str(v) for rows in read_book(path, PASSWORD).values() for r in rows for v in r if v]
    assert not any(SECRET_NOTE in text or SECRET_FOLLOW_UP in text for text in texts)
    assert "谈心记录" not in read_book(path, PASSWORD)["谈心记录"][0], "the notes' column is absent"


# --- Privacy on a demo school with full contact cards ----------------------------------------


@pytest.fixture
def demo(session: Session, autumn: TermCalendar, registry: ActivityRegistry) -> int:
    school = create_demo_school(session, children=36)
    fill_contact_cards(session, school)
    session.execute(update(Child).where(Child.id % 5 == 0).values(key_target=True))
    plan(session, autumn, registry)
    children = session.scalars(select(Child.id).where(Child.school_id == school).limit(4)).all()
    for child_id in children:
        talk(session, registry, child_id, "2026-10", "head_teacher_talk")
    session.commit()
    return school


@pytest.mark.parametrize("password", [None, PASSWORD], ids=["plain", "encrypted"])
def test_a_bureau_ledger_holds_no_name_phone_id_number_or_address(
    session, demo, registry, tmp_path, password
):
    path = tmp_path / "ledger.xlsx"
    summary = write_ledger(session, path, registry=registry, viewer=BUREAU, password=password)
    book = read_book(path, password)
    assert list(book) == SHEETS
    assert len(book["留守儿童花名册"]) == 1 + 36 and len(book["谈心记录"]) == 1 + 4
    assert leaks(book, private_values(session, demo)) == []
    assert summary.masked_rows == 36


def test_an_unprotected_coordinator_ledger_masks_contact_details(session, demo, registry, tmp_path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(session, path, registry=registry, viewer=COORDINATOR)
    assert is_zip(path)
    secrets = private_values(session, demo)
    assert leaks(read_book(path), {**secrets, "names": set()}) == []
    names = {row[2] for row in read_book(path)["留守儿童花名册"][1:]}
    assert names & secrets["names"], "school staff see the children's names"


def test_a_protected_coordinator_ledger_shows_contact_details(session, demo, registry, tmp_path):
    path = tmp_path / "ledger.xlsx"
    summary = write_ledger(session, path, registry=registry, viewer=COORDINATOR, password=PASSWORD)
    assert not is_zip(path) and summary.protected and summary.masked_rows == 0
    roster = read_book(path, PASSWORD)["留守儿童花名册"]
    ids = {row[roster[0].index("身份证号")] for row in roster[1:]}
    assert ids == private_values(session, demo)["ids"]


def test_a_city_ledger_totals_every_school_and_a_school_account_sees_only_its_own(
    session, demo, registry, tmp_path
):
    other = create_demo_school(session, code="OTHER", name="另一小学", children=6)
    session.commit()
    path = tmp_path / "city.xlsx"
    write_ledger(session, path, registry=registry, viewer=BUREAU)
    overall = section(read_book(path)["汇总"], OVERALL)
    assert [row[0] for row in overall] == ["关爱示范小学", "另一小学", TOTAL]
    assert overall[2][1] == 36 + 6
    own = Viewer("另一小学关爱办", "coordinator", None, other)
    write_ledger(session, path, registry=registry, viewer=own)
    assert {row[0] for row in read_book(path)["留守儿童花名册"][1:]} == {"另一小学"}
    with pytest.raises(AccessError):
        write_ledger(session, path, registry=registry, viewer=own, school_id=demo)


def test_an_unknown_term_is_named(session, demo, registry, tmp_path):
    with pytest.raises(NotFoundError, match="2030-autumn"):
        write_ledger(
            session,
            tmp_path / "l.xlsx",
            registry=registry,
            viewer=COORDINATOR,
            term_key="2030-autumn",
        )


def test_without_a_planned_term_the_roster_sheets_are_still_written(session, registry, tmp_path):
    create_demo_school(session, children=5)
    session.commit()
    path = tmp_path / "ledger.xlsx"
    summary = write_ledger(session, path, registry=registry, viewer=COORDINATOR)
    assert summary.term_key is None and summary.sheets["留守儿童花名册"] == 5
    assert summary.sheets["谈心记录"] == 0
