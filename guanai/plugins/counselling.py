"""Psychological counselling (心理咨询): sessions for the children who need them.

The school's counsellor (心理辅导教师; the coordinator where the school has none) holds a
session with each child whose record names psychological needs (心理需求). What is said is
private: every field but the date is kept out of feeds, reminders, logs and ledgers, and only
the counsellor (the task's assignee) and the coordinator read it; a ledger counts sessions.
"""

from guanai import (
    ActivityType,
    Coverage,
    Field,
    FieldKind,
    Label,
    Reminder,
    Role,
    Selection,
    Step,
    at_end,
    hookimpl,
)


class Counselling(ActivityType):
    name = "counselling"
    title = Label("心理咨询", "Psychological counselling")
    covers = Coverage.CHILD
    selects = Selection(care_categories=frozenset({"psychological"}))
    steps = (
        Step(
            "session",
            Label("开展心理咨询", "Hold the counselling session"),
            Role.COUNSELLOR,
            due=at_end(),
            spread=True,
            record=(
                Field("date", Label("咨询日期", "Date"), FieldKind.DATE),
                Field(
                    "concerns",
                    Label("主要问题", "Concerns"),
                    FieldKind.LONG_TEXT,
                    private=True,
                ),
                Field(
                    "guidance",
                    Label("辅导措施", "Guidance given"),
                    FieldKind.LONG_TEXT,
                    private=True,
                ),
                Field(
                    "follow_up",
                    Label("后续跟进", "Follow-up"),
                    FieldKind.LONG_TEXT,
                    required=False,
                    private=True,
                ),
            ),
        ),
    )
    reminders = (Reminder(1), Reminder(0))


@hookimpl
def register_activity_types(register):
    register(Counselling)
