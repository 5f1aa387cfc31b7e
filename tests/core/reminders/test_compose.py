"""What a tick queues: one digest per teacher and school day, escalations once, a weekly
summary once a week, one outbox row per channel, and children only as masked names."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

from reminder_samples import CHANNELS, at
from sqlalchemy import Engine, select, update

from guanai.core.db import transaction
from guanai.core.models import Child, OutboxMessage, Task, TaskState, Teacher
from guanai.core.reminders.message import Content

TUESDAY = date(2026, 9, 15)


def messages(engine: Engine, kind: str | None = None) -> list[OutboxMessage]:
    with transaction(engine) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.scalars(query))


def test_each_teacher_gets_one_digest_per_school_day_at_its_time(planned, run_tick):
    run_tick(planned, at(TUESDAY, 7, 29))
    assert messages(planned, "digest") == [], "not before the digest time (07:30)"
    first = run_tick(planned, at(TUESDAY, 7, 30))
    digests = messages(planned, "digest")
    assert first.reminders_queued >= len(digests) > 0
    for hour in (8, 12, 23):
        run_tick(planned, at(TUESDAY, hour))
    assert len(messages(planned, "digest")) == len(digests), "ticking again queues nothing"
    per_teacher = Counter((m.recipient_id, m.channel) for m in digests)
    assert set(per_teacher.values()) == {1}
    assert Counter(m.channel for m in digests) == {c: len(digests) // 2 for c in CHANNELS}


def test_digests_come_on_school_days_only(planned, run_tick):
    for day in (date(2026, 9, 19), date(2026, 10, 2)):  # a Saturday; National Day
        run_tick(planned, at(day, 9))
        assert messages(planned, "digest") == [], day
    run_tick(planned, at(date(2026, 9, 20), 9))  # a Sunday that is a make-up school day
    assert {m.dedupe_key.split(":")[1] for m in messages(planned, "digest")} == {"2026-09-20"}


def test_a_digest_lists_overdue_due_and_coming_tasks_with_masked_names(planned, run_tick):
    run_tick(planned, at(TUESDAY))
    with transaction(planned) as session:
        names = [n for n in session.scalars(select(Child.name)) if len(n) > 1]
    payloads = [m.payload for m in messages(planned)]
    dumped = json.dumps(payloads, ensure_ascii=False)
    assert not [name for name in names if name in dumped], "no child's full name"
    headings = {
        section.heading.en.split(" (")[0]
        for payload in payloads
        for section in Content.from_payload(payload).sections
    }
    assert {"Overdue", "Due now", "This week and coming up"} <= headings


def test_an_escalation_is_queued_once_for_the_coordinators(planned, run_tick):
    run_tick(planned, at(date(2026, 9, 25), 1))
    escalations = messages(planned, "escalation")
    assert escalations
    with transaction(planned) as session:
        coordinators = set(session.scalars(select(Teacher.id).where(Teacher.is_coordinator)))
        escalated = session.scalars(
            select(Task.id).where(Task.state == TaskState.ESCALATED.value)
        ).all()
    assert {m.recipient_id for m in escalations} == coordinators
    content = Content.from_payload(escalations[0].payload)
    assert content.sections[0].heading.en == f"Overdue tasks ({len(escalated)})"
    run_tick(planned, at(date(2026, 9, 25), 2))
    assert len(messages(planned, "escalation")) == len(escalations)


def test_without_a_coordinator_escalations_go_to_the_office(planned, run_tick):
    with transaction(planned) as session:
        session.execute(update(Teacher).values(is_coordinator=False))
    run_tick(planned, at(date(2026, 9, 25), 1))
    assert {m.recipient_id for m in messages(planned, "escalation")} == {None}


def test_the_weekly_summary_comes_once_a_week_after_its_time(planned, run_tick):
    friday = date(2026, 9, 18)
    run_tick(planned, at(friday, 15, 59))
    assert messages(planned, "weekly") == []
    run_tick(planned, at(friday, 16))
    run_tick(planned, at(friday + timedelta(days=1), 9))
    weekly = messages(planned, "weekly")
    assert len(weekly) == len(CHANNELS), "one summary, once per channel"
    content = Content.from_payload(weekly[0].payload)
    assert content.title.zh.startswith("关爱周报")
    assert [s.heading.en for s in content.sections] == [
        "Whole school (held/due)",
        "By class (held/due)",
    ]
    assert all("/" in line.zh for s in content.sections for line in s.lines)
    run_tick(planned, at(friday + timedelta(days=7), 16))
    assert len(messages(planned, "weekly")) == 2 * len(CHANNELS)
