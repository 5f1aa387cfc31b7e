"""The database schema: one DeclarativeBase, typed columns, portable to SQLite and PostgreSQL.

Tasks carry their own dates and state so that ``tick`` is a handful of set-based UPDATEs over
indexed columns: its cost grows with the work due, not with the size of the history.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time, stored in UTC on every database and read back as aware UTC.

    SQLite has no time zones: without this, an aware Shanghai time would be stored as its
    wall-clock reading and come back naive, eight hours off any UTC value beside it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("guanai stores only timezone-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime()}


class TaskState(StrEnum):
    PENDING = "pending"
    DUE = "due"
    DONE = "done"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    CANCELLED = "cancelled"


OPEN_STATES = (TaskState.PENDING, TaskState.DUE, TaskState.OVERDUE, TaskState.ESCALATED)


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class School(Base):
    __tablename__ = "school"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # the first day guanai ran the programme (the school's first plan): duties whose window
    # closed before it are not planned; None: nothing left out (the demo, older databases)
    planned_from: Mapped[date | None] = mapped_column(Date)
    classes: Mapped[list[SchoolClass]] = relationship(back_populates="school")


class Teacher(Base):
    __tablename__ = "teacher"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    is_coordinator: Mapped[bool] = mapped_column(default=False, server_default=false())
    # 心理辅导教师: acts on counselling; the school's first one by code (else the coordinator)
    is_counsellor: Mapped[bool] = mapped_column(default=False, server_default=false())
    subjects: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    __table_args__ = (UniqueConstraint("school_id", "code"),)


class SchoolClass(Base):
    """A class (班级) of a grade, owned by a head teacher."""

    __tablename__ = "school_class"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    grade: Mapped[int]
    name: Mapped[str] = mapped_column(String(60))
    head_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id"))
    school: Mapped[School] = relationship(back_populates="classes")
    head_teacher: Mapped[Teacher | None] = relationship()
    __table_args__ = (UniqueConstraint("school_id", "name"),)


class Child(Base):
    """A left-behind child's record (档案) and contact card (联系卡): "one card per child".

    Coded fields hold the codes of :mod:`guanai.core.vocabulary`; every change is kept in
    :class:`RecordChange`, so the record's history says who changed what, and when.
    """

    __tablename__ = "child"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    student_no: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(10))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number: Mapped[str | None] = mapped_column(String(18))
    enrolment_status: Mapped[str] = mapped_column(
        String(20), default="enrolled", server_default="enrolled"
    )
    left_behind_type: Mapped[str | None] = mapped_column(String(40))
    left_behind_since: Mapped[date | None] = mapped_column(Date)
    home_address: Mapped[str | None] = mapped_column(String(300))
    care_categories: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    key_target: Mapped[bool] = mapped_column(default=False, server_default=false())
    individual_plan: Mapped[str | None] = mapped_column(Text)
    five_clears: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    notes: Mapped[str | None] = mapped_column(Text)
    # the day the child came onto the roster: per-child duties whose window closed before it
    # are not planned; None: nothing left out (children of older databases, the demo)
    joined_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None]
    updated_by: Mapped[str | None] = mapped_column(String(100))
    school_class: Mapped[SchoolClass] = relationship()
    guardians: Mapped[list[Guardian]] = relationship(back_populates="child")
    parents: Mapped[list[Parent]] = relationship(back_populates="child")
    __table_args__ = (
        UniqueConstraint("school_id", "student_no"),
        Index("ix_child_school_status", "school_id", "enrolment_status"),
        # an ID number is one child's: once per school, and once among enrolled children
        Index("uq_child_id_number_school", "id_number", "school_id", unique=True),
        Index(
            "uq_child_enrolled_id_number",
            "id_number",
            unique=True,
            sqlite_where=text("enrolment_status = 'enrolled'"),
            postgresql_where=text("enrolment_status = 'enrolled'"),
        ),
    )


class Guardian(Base):
    """The adult at home (监护人 / 委托监护人): a grandparent or other relative. One per child."""

    __tablename__ = "guardian"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(40))
    occupation: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    health: Mapped[str | None] = mapped_column(String(200))
    age: Mapped[int | None]
    child: Mapped[Child] = relationship(back_populates="guardians")


class Parent(Base):
    """A parent working away (外出务工): where, for whom, and how to reach them."""

    __tablename__ = "parent"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    relation: Mapped[str] = mapped_column(String(10))  # father | mother
    name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    work_city: Mapped[str | None] = mapped_column(String(100))
    work_unit: Mapped[str | None] = mapped_column(String(200))
    unit_address: Mapped[str | None] = mapped_column(String(300))
    unit_phone: Mapped[str | None] = mapped_column(String(40))
    child: Mapped[Child] = relationship(back_populates="parents")
    __table_args__ = (UniqueConstraint("child_id", "relation"),)


class RecordChange(Base):
    """One changed field of a child's record: the history that is never overwritten.

    Values may be private; only roles allowed to see the record see its history.
    """

    __tablename__ = "record_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(300))


class Account(Base):
    """Someone who uses guanai, with the role that decides what they may see.

    ``teacher_id`` links a teacher's account to their pairings and class; ``school_id`` is
    null only for a bureau viewer of every school.
    """

    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))


class Pairing(Base):
    """A child's one-to-one pairing (结对帮扶) with a teacher; current while ``ended_on`` is null.

    The student buddy (学习帮手) is any classmate: one on the roster by ``buddy_child_id``, or
    one who is not (a child who is not left behind) by ``buddy_name``; never both.
    """

    __tablename__ = "pairing"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teacher.id"), index=True)
    buddy_child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    buddy_name: Mapped[str | None] = mapped_column(String(100))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (
        Index(
            "uq_pairing_current_child",
            "child_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )


class Term(Base):
    """A planned term: the calendar file it came from, kept so re-plans can show the source."""

    __tablename__ = "term"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(60))
    calendar_source: Mapped[str] = mapped_column(Text)
    planned_at: Mapped[datetime | None]


class Activity(Base):
    """One occurrence of an activity type at one school, e.g. October's talks."""

    __tablename__ = "activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    type: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    cancelled: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("term_id", "school_id", "key"),)


class Task(Base):
    """One step of one activity for one subject (the school, a class or a child).

    ``subject`` is the task's identity within its activity and step ("s", "c<class id>",
    "k<child id>"); together with the activity key it makes re-planning idempotent. A task
    with a :class:`Record` is done: triggers refuse a record for a task not done and a state
    change away from done while the record exists (migration 0006).
    """

    __tablename__ = "task"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    step: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(24))
    stage: Mapped[int] = mapped_column(Integer, default=0)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id"))
    scheduled_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(
        String(12), default=TaskState.PENDING.value, server_default=TaskState.PENDING.value
    )
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    """Bumped on every change that matters to someone following the task (a feed's SEQUENCE)."""
    changed_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())
    """When the task last changed materially (a feed's LAST-MODIFIED), not a clock reading."""
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(100))
    __table_args__ = (
        UniqueConstraint("activity_id", "step", "subject"),
        Index("ix_task_state_scheduled", "state", "scheduled_on"),
        Index("ix_task_state_due", "state", "due_on"),
        # a teacher's agenda: their open (or late) tasks in day order, and their counts; a
        # teacher's feed and a handover read the assignee's prefix
        Index("ix_task_assignee_state_scheduled", "assignee_id", "state", "scheduled_on"),
        # the school feed's version and content: an activity's school-wide tasks (subject
        # "s") by index, not by reading every task of the school's activities
        Index("ix_task_activity_subject", "activity_id", "subject"),
    )


class Record(Base):
    """The record that completed a task: a talk's card, a letter's receipt. Private."""

    __tablename__ = "record"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), unique=True)
    data: Mapped[dict[str, Any]]
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime]


class AuditEvent(Base):
    """Who changed what, when. ``detail`` holds field names and ids, never private values."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]]
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)


class OutboxMessage(Base):
    """One reminder for one recipient through one channel, waiting, in flight, sent or failed.

    ``dedupe_key`` (kind, recipient, occasion and channel) makes queueing idempotent: a tick
    run twice, or by two daemons, queues a reminder once. ``payload`` holds the message in both
    languages, with children's names already masked; the recipient's address is looked up when
    it is sent, so a corrected address applies to retries. A dispatcher claims a row by setting
    ``state`` to ``sending`` with ``claimed_by`` and ``lease_until`` (see guanai.core.reminders).
    ``recipient_id`` NULL addresses the school's coordinators' office (no coordinator named).
    """

    __tablename__ = "outbox_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # digest | escalation | weekly
    channel: Mapped[str] = mapped_column(String(40))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(
        String(12), default=OutboxState.PENDING.value, server_default=OutboxState.PENDING.value
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    __table_args__ = (Index("ix_outbox_message_state_next", "state", "next_attempt_at"),)


class ReminderRound(Base):
    """A round of reminders composed for a school: the daily digests of one day, or the
    weekly summary of one week (``occasion`` is its Monday). Written with the round's outbox
    rows, so a tick that runs again (or on a second daemon) composes nothing twice."""

    __tablename__ = "reminder_round"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    occasion: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("kind", "school_id", "occasion"),)


class InboxItem(Base):
    """A reminder delivered to the in-app inbox, read in the dashboard.

    ``teacher_id`` NULL: the school's coordinators' office. Written in the same transaction
    that marks its outbox row sent, so the inbox receives each reminder exactly once.
    """

    __tablename__ = "inbox_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id"))
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_inbox_item_school_teacher", "school_id", "teacher_id"),)


class FeedSubscription(Base):
    """A calendar feed someone subscribed to: a teacher's, a class's or the school's, one term.

    The token in the feed's URL is shown once and stored only as its SHA-256 (``token_hash``);
    ``slug`` is a random public name for the static file ``guanai export-ics`` writes.
    """

    __tablename__ = "feed_subscription"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    scope: Mapped[str] = mapped_column(String(10))  # teacher | class | school
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"))
    term_key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    alarms: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None]


class FeedStamp(Base):
    """A school's change stamp: one more with every change that can alter one of its feeds.

    Kept by the database's triggers (migration 0010), in the writing transaction; a school
    not changed since has no row (stamp 0). Nothing in the application writes it.
    """

    __tablename__ = "feed_stamp"
    school_id: Mapped[int] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    stamp: Mapped[int] = mapped_column(default=0, server_default="0")


class TeacherLink(Base):
    """A teacher's personal sign-in link to their phone pages: ``/t/<token>``.

    Like a feed token, the token is shown once and stored only as its SHA-256. ``expires_at``
    is null for the link a coordinator hands out (it lives until revoked or rotated) and set
    for the short-lived one a reminder carries (``purpose`` ``reminder``). Every record made
    through it is made as ``account_id``'s account.
    """

    __tablename__ = "teacher_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teacher.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    purpose: Mapped[str] = mapped_column(String(10))  # link | reminder
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class WebSession(Base):
    """A phone's signed-in session, opened from a :class:`TeacherLink`; the cookie holds the
    session token, the table only its SHA-256. Revoking the link ends its sessions."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("teacher_link.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class CasePlan(Base):
    """A plan for one child or a group (分类、分组): a learning-support plan (学习帮扶计划, kind
    ``learning``) or a key child's individual education plan (个别教育管理方案, ``individual``).

    Its content is kept in :class:`CasePlanVersion` rows, one per revision (``version`` is
    the current one); its checks (:class:`CasePlanCheck`) become tasks for its teachers
    (guanai.core.case_plans). Open until closed with an outcome.
    """

    __tablename__ = "case_plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # learning | individual
    title: Mapped[str] = mapped_column(String(200))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))


class CasePlanVersion(Base):
    """One revision of a plan: its texts, children, teachers and check dates as they were."""

    __tablename__ = "case_plan_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("case_plan.id"))
    version: Mapped[int]
    content: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(Text)
    revised_at: Mapped[datetime]
    revised_by: Mapped[str] = mapped_column(String(100))
    __table_args__ = (UniqueConstraint("plan_id", "version"),)


class CasePlanChild(Base):
    __tablename__ = "case_plan_child"
    plan_id: Mapped[int] = mapped_column(ForeignKey("case_plan.id"), primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), primary_key=True, index=True)


class CasePlanTeacher(Base):
    __tablename__ = "case_plan_teacher"
    plan_id: Mapped[int] = mapped_column(ForeignKey("case_plan.id"), primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teacher.id"), primary_key=True, index=True)


class CasePlanCheck(Base):
    """A date on which the plan is checked (learning) or reviewed (individual)."""

    __tablename__ = "case_plan_check"
    plan_id: Mapped[int] = mapped_column(ForeignKey("case_plan.id"), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
