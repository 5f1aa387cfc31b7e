"""tick and complete: tasks move by their dates, reminders are queued once, records are audited."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from guanai.core.activity import DayOffError, RecordProblems
from guanai.core.config import Settings
from guanai.core.engine import complete
from guanai.core.errors import NotFoundError, RecordError
from guanai.core.models import Activity, AuditEvent, OutboxMessage, Record, Task, TaskState
from guanai.core.record_days import DAY_OFF_MARK
from guanai.core.simulation import simulate, simulated_record
from guanai.testing import Harness, TaskView

SHANGHAI = ZoneInfo("Asia/Shanghai")
ESCALATE = Settings().escalate_after_days  # the harness ticks with the default settings


def at(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def guanai_database(engine: Engine) -> str:
    """The suite's database on each backend, instead of guanai.testing's SQLite file."""
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def guanai_now() -> str:
    return "2026-08-25T08:00"  # planned a week before the term starts


@pytest.fixture
def planned(guanai: Harness) -> Harness:
    """A demo school of 40 children with the 2026 autumn term planned."""
    guanai.plan()
    return guanai


def one_task(planned: Harness, activity_key: str, step: str) -> TaskView:
    tasks = [t for t in planned.tasks(step=step) if t.activity_key == activity_key]
    return min(tasks, key=lambda t: t.id)


def state_of(planned: Harness, task_id: int) -> str:
    with planned.session() as session:
        return session.get_one(Task, task_id).state


def test_a_task_is_pending_until_its_day_then_due_then_overdue_then_escalated(planned):
    task = one_task(planned, "talk@month:2026-10", "head_teacher_talk")
    planned.tick(at(task.scheduled_on - timedelta(days=1)))
    assert state_of(planned, task.id) == TaskState.PENDING
    planned.tick(at(task.scheduled_on))
    assert state_of(planned, task.id) == TaskState.DUE
    planned.tick(at(task.due_on))
    assert state_of(planned, task.id) == TaskState.DUE, "due through its last day"
    planned.tick(at(task.due_on + timedelta(days=1)))
    assert state_of(planned, task.id) == TaskState.OVERDUE
    planned.tick(at(task.due_on + timedelta(days=ESCALATE)))
    assert state_of(planned, task.id) == TaskState.OVERDUE
    planned.tick(at(task.due_on + timedelta(days=ESCALATE + 1)))
    assert state_of(planned, task.id) == TaskState.ESCALATED


def test_the_day_is_taken_in_the_terms_time_zone(planned):
    task = one_task(planned, "talk@month:2026-10", "head_teacher_talk")
    eve = datetime.combine(task.scheduled_on - timedelta(days=1), time(17), tzinfo=UTC)
    planned.tick(eve)  # 01:00 the next morning in Shanghai
    assert state_of(planned, task.id) == TaskState.DUE


def test_completing_a_talk_keeps_the_record_and_who_wrote_it(planned):
    task = one_task(planned, "talk@month:2026-09", "pairing_teacher_talk")
    record = {
        "date": "2026-09-08",
        "place": "心理辅导室",
        "topics": "学习、想念父母",
        "notes": "情绪稳定",
        "follow_up": "",
    }
    now = at(date(2026, 9, 8), 16)
    with planned.session() as session:
        complete(session, planned.registry, task.id, record, actor="王老师", now=now)
    with planned.session() as session:
        done = session.get_one(Task, task.id)
        stored = session.scalars(select(Record).where(Record.task_id == task.id)).one()
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "task", AuditEvent.entity_id == task.id)
        ).one()
    assert (done.state, done.completed_by) == (TaskState.DONE, "王老师")
    assert done.changed_at == now  # what feeds show of it changed
    assert stored.data["topics"] == "学习、想念父母" and stored.recorded_by == "王老师"
    assert audit.actor == "王老师" and audit.action == "complete"
    assert "情绪稳定" not in str(audit.detail), "the audit trail names fields, not private values"


def test_an_invalid_record_is_refused_with_the_field_named_and_nothing_written(planned):
    task = one_task(planned, "talk@month:2026-09", "head_teacher_talk")
    bad = {"date": "2026-13-45", "place": "教室", "topics": "学习", "notes": "私密内容"}
    with pytest.raises(RecordError) as raised, planned.session() as session:
        complete(session, planned.registry, task.id, bad, actor="t", now=at(date(2026, 9, 8)))
    assert "date" in raised.value.label.en and "私密内容" not in str(raised.value.label)
    missing = {"date": "2026-09-08", "place": "教室", "notes": "x"}
    with pytest.raises(RecordError, match="topics"), planned.session() as session:
        complete(session, planned.registry, task.id, missing, actor="t", now=at(date(2026, 9, 8)))
    with planned.session() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 0
        assert session.get_one(Task, task.id).state == TaskState.PENDING


TALK = {"date": "2026-09-08", "place": "教室", "topics": "学习", "notes": "私密内容"}
ON_THE_DAY = at(date(2026, 9, 8), 16)


def refused(planned: Harness, changes: dict[str, object], now: datetime = ON_THE_DAY) -> str:
    """The English message refusing a head teacher's talk with ``changes``; nothing written."""
    task = one_task(planned, "talk@month:2026-09", "head_teacher_talk")
    with pytest.raises(RecordError) as raised, planned.session() as session:
        complete(session, planned.registry, task.id, TALK | changes, actor="t", now=now)
    with planned.session() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 0
        assert session.get_one(Task, task.id).state == TaskState.PENDING
    assert "私密内容" not in str(raised.value.label.zh + raised.value.label.en)
    return raised.value.label.en


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("1900-01-01", "1900-01-01 is before the task's window opens on 2026-09-01"),
        ("2026-08-31", "2026-08-31 is before the task's window opens on 2026-09-01"),
        (
            "2026-09-09",
            "2026-09-09 is after today (2026-09-08): what has not happened is not recorded",
        ),
        (
            "2099-12-31",
            "2099-12-31 is after today (2026-09-08): what has not happened is not recorded",
        ),
    ],
)
def test_a_record_dated_before_its_window_opens_or_after_today_is_refused(planned, day, reason):
    task = one_task(planned, "talk@month:2026-09", "head_teacher_talk")
    assert refused(planned, {"date": day}) == f"task {task.id}: 'Date of talk' (date) {reason}"


def test_a_record_dated_on_the_day_its_window_opens_or_today_is_kept(planned):
    for step, day in (("head_teacher_talk", "2026-09-01"), ("pairing_teacher_talk", "2026-09-08")):
        task = one_task(planned, "talk@month:2026-09", step)
        with planned.session() as session:
            record = TALK | {"date": day}
            complete(session, planned.registry, task.id, record, actor="t", now=ON_THE_DAY)
        assert state_of(planned, task.id) == TaskState.DONE


def stored_record(planned: Harness, task_id: int) -> dict[str, object]:
    with planned.session() as session:
        return session.scalars(select(Record.data).where(Record.task_id == task_id)).one()


@pytest.mark.parametrize(
    "written",
    ["2026/9/8", "2026.9.8", "2026年9月8日", "20260908", "２０２６－０９－０８", " 2026-09-08 "],
)
def test_a_date_is_read_in_the_forms_the_roster_reads(planned, written):
    task = one_task(planned, "talk@month:2026-09", "head_teacher_talk")
    with planned.session() as session:
        record = TALK | {"date": written}
        complete(session, planned.registry, task.id, record, actor="t", now=ON_THE_DAY)
    assert stored_record(planned, task.id)["date"] == "2026-09-08"


def test_fields_are_named_by_key_or_by_label_in_either_language(planned):
    task = one_task(planned, "talk@month:2026-09", "head_teacher_talk")
    written = {
        "谈心日期": "2026/9/8",  # the Chinese label
        "地点": "教室",  # part of one field's Chinese label (谈心地点) only
        "topics discussed": "学习",  # the English label, in any case
        "ｎｏｔｅｓ": "私密内容",  # the key, typed full-width
        "后续跟进措施：": "",  # a trailing colon, as on the paper card
    }
    with planned.session() as session:
        complete(session, planned.registry, task.id, written, actor="t", now=ON_THE_DAY)
    assert stored_record(planned, task.id) == {
        "date": "2026-09-08",
        "place": "教室",
        "topics": "学习",
        "notes": "私密内容",
        "follow_up": None,
    }


def test_every_problem_is_reported_at_once_in_one_message(planned):
    task = one_task(planned, "talk@month:2026-09", "head_teacher_talk")
    written = {"日期": "2026-13-45", "话题": "学习", "记录": "私密内容", "date": "2026-09-08"}
    with pytest.raises(RecordProblems) as raised, planned.session() as session:
        complete(session, planned.registry, task.id, written, actor="t", now=ON_THE_DAY)
    problems = raised.value
    assert problems.label.zh == (
        f"任务 {task.id}：「谈心日期」(date)填了不止一次；"
        "没有字段「话题」（可填：「谈心日期」(date)、「谈心地点」(place)、「谈心主题」(topics)、"
        "「谈心记录」(notes)、「后续跟进措施」(follow_up)）；"
        "「谈心日期」(date)应为日期（如 2026-12-01、2026/12/1、2026年12月1日、20261201）；"
        "「谈心地点」(place)为必填项，尚未填写；「谈心主题」(topics)为必填项，尚未填写"
    )
    assert set(problems.reasons()) == {"date", "place", "topics"}
    assert "私密内容" not in str(problems.label.zh + problems.label.en)


def test_a_date_on_a_holiday_or_weekend_is_kept_only_when_confirmed_and_is_marked(planned):
    task = one_task(planned, "talk@month:2026-09", "head_teacher_talk")
    now = at(date(2026, 9, 28), 16)
    for day, kind in (
        ("2026-09-26", "the Mid-Autumn Festival holiday"),
        ("2026-09-13", "a weekend"),
    ):
        with pytest.raises(DayOffError) as raised, planned.session() as session:
            record = TALK | {"date": day}
            complete(session, planned.registry, task.id, record, actor="t", now=now)
        assert raised.value.fields == ("date",)
        assert f"'Date of talk' (date) {day} is not a school day ({kind})" in (
            raised.value.label.en
        )
    assert state_of(planned, task.id) == TaskState.PENDING
    with planned.session() as session:
        record = TALK | {"date": "2026-09-26"}
        complete(session, planned.registry, task.id, record, actor="t", now=now, day_off_ok=True)
    assert stored_record(planned, task.id) == {
        **TALK,
        "date": "2026-09-26",
        "follow_up": None,
        DAY_OFF_MARK: ["date"],
    }
    with planned.session() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "task", AuditEvent.entity_id == task.id)
        ).one()
    assert audit.detail["fields"] == ["date", "notes", "place", "topics"]
    assert audit.detail[DAY_OFF_MARK] == ["date"], "the audit says the day off was confirmed"


def test_a_make_up_workday_is_a_school_day(planned):
    task = one_task(planned, "talk@month:2026-09", "head_teacher_talk")
    with planned.session() as session:  # Sunday 2026-09-20 is a National Day make-up workday
        record = TALK | {"date": "2026-09-20"}
        now = at(date(2026, 9, 21))
        complete(session, planned.registry, task.id, record, actor="t", now=now)
    assert DAY_OFF_MARK not in stored_record(planned, task.id)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"notes": "很长" * 5_001}, "'Notes of the talk' (notes) is longer than 10000 characters"),
        ({"topics": "学" * 201}, "'Topics discussed' (topics) is longer than 200 characters"),
        ({"place": {"room": 1}}, "'Place' (place) must be text"),
        ({"topics": ["学习", "家庭"]}, "'Topics discussed' (topics) must be text"),
        ({"place": 3}, "'Place' (place) must be text"),
        ({"date": 20260908}, "'Date of talk' (date) must be a date"),
        ({"date": [[["2026-09-08"]]]}, "'Date of talk' (date) must be a date"),
        ({"place": "教\x00室"}, "'Place' (place) holds a character that is not allowed: U+0000"),
        (
            {"notes": "王\x1b]0;pwned\x07"},
            "'Notes of the talk' (notes) holds a character that is not allowed: U+001B",
        ),
        ({"place": "教室\n操场"}, "'Place' (place) must be one line, without line breaks or tabs"),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_text_too_long_of_the_wrong_type_or_with_control_characters_is_refused(
    planned, changes, reason
):
    assert reason in refused(planned, changes)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (-1, "must be from 0 to 1000000"),
        (10**23, "must be from 0 to 1000000"),
        ("99999999999999999999999", "must be from 0 to 1000000"),
        (12.5, "must be a whole number"),
        (True, "must be a whole number"),
        (float("nan"), "must be a whole number"),
        ({"n": 1}, "must be a whole number"),
    ],
)
def test_a_count_is_a_whole_number_within_its_range(planned, value, reason):
    task = one_task(planned, "mental_health_class@between:2026-10-12", "give_class")
    step = planned.registry.get("mental_health_class").step("give_class")
    record = simulated_record(step, task.scheduled_on) | {"attended": value}
    with pytest.raises(RecordError) as raised, planned.session() as session:
        complete(session, planned.registry, task.id, record, actor="t", now=at(task.scheduled_on))
    assert f"'Children present' (attended) {reason}" in raised.value.label.en


def test_notes_keep_their_lines_and_tabs(planned):
    task = one_task(planned, "talk@month:2026-09", "head_teacher_talk")
    notes = "第一段\r\n\t第二段"
    with planned.session() as session:
        complete(
            session, planned.registry, task.id, TALK | {"notes": notes}, actor="t", now=ON_THE_DAY
        )
    with planned.session() as session:
        stored = session.scalars(select(Record).where(Record.task_id == task.id)).one()
    assert stored.data["notes"] == "第一段\n\t第二段"


def test_a_later_step_waits_for_the_earlier_ones(planned):
    letters = "exam_letters@after:final_exams"
    report = one_task(planned, letters, "teacher_report")
    step = planned.registry.get("exam_letters").step("teacher_report")
    waiting = "须先完成步骤：孩子给父母写信"  # the step's title, not its key (child_writes)
    with pytest.raises(RecordError, match=waiting), planned.session() as session:
        complete(
            session,
            planned.registry,
            report.id,
            simulated_record(step, report.scheduled_on),
            actor="t",
            now=at(report.scheduled_on),
        )
    planned.tick(at(report.scheduled_on))
    assert state_of(planned, report.id) == TaskState.PENDING, (
        "not due while its predecessor is open"
    )


def test_completing_twice_or_an_unknown_task_is_refused(planned):
    task = one_task(planned, "parent_school@between:2026-11-16", "plan")
    step = planned.registry.get("parent_school").step("plan")
    with planned.session() as session:
        complete(
            session,
            planned.registry,
            task.id,
            simulated_record(step, task.scheduled_on),
            actor="t",
            now=at(task.scheduled_on),
        )
    with pytest.raises(RecordError), planned.session() as session:
        complete(
            session,
            planned.registry,
            task.id,
            simulated_record(step, task.scheduled_on),
            actor="t",
            now=at(task.scheduled_on),
        )
    with pytest.raises(NotFoundError), planned.session() as session:
        complete(session, planned.registry, 10**9, {}, actor="t", now=at(task.scheduled_on))


@pytest.mark.slow
def test_a_whole_autumn_term_runs_day_by_day(planned):
    autumn = planned.calendar
    days = simulate(
        planned.engine,
        planned.registry,
        first=autumn.starts_on,
        last=autumn.ends_on,
        tz=autumn.tz,
        settings=Settings(escalate_after_days=ESCALATE),
        actor="关爱办",
        complete_share=0.95,
        seed=1,
    )
    assert len(days) == (autumn.ends_on - autumn.starts_on).days + 1
    with planned.session() as session:
        states = Counter(session.scalars(select(Task.state)))
        letters = Counter(
            session.scalars(
                select(Task.step)
                .join(Activity, Activity.id == Task.activity_id)
                .where(Activity.type == "exam_letters", Task.state == TaskState.DONE)
            )
        )
        late_pending = session.scalar(
            select(func.count())
            .select_from(Task)
            .join(Activity, Activity.id == Task.activity_id)
            .where(
                Task.state == TaskState.PENDING,
                Task.stage == 0,
                ~Activity.key.contains("@break:"),  # the winter break's come after the term
            )
        )
        queued = session.scalar(select(func.count()).select_from(OutboxMessage))
        keys = session.scalar(select(func.count(OutboxMessage.dedupe_key.distinct())))
    assert late_pending == 0, "by the term's end every first step has come due"
    assert states[TaskState.DONE] > 0.8 * sum(states.values())
    assert letters["receipt_confirmed"] > 0, "exam letters flowed through all four steps"
    assert queued == keys
