"""Heart-to-heart talk (谈心): each left-behind child's regular talk with an adult at school.

The head teacher and the pairing teacher each talk with every left-behind child at least once
a month and fill in a talk record card (谈心记录卡). The two talks are independent duties, so
they are two steps without ``after``; both are spread over the window's school days so that
no teacher has too many talks on one day.
"""

from guanai import (
    ActivityType,
    Coverage,
    Field,
    FieldKind,
    Label,
    Reminder,
    Role,
    Step,
    at_end,
    hookimpl,
)

TALK_RECORD: tuple[Field, ...] = (
    Field("date", Label("谈心日期", "Date of talk"), FieldKind.DATE),
    Field("place", Label("谈心地点", "Place")),
    Field("topics", Label("谈心主题", "Topics discussed")),
    Field("notes", Label("谈心记录", "Notes of the talk"), FieldKind.LONG_TEXT, private=True),
    Field(
        "follow_up",
        Label("后续跟进措施", "Follow-up"),
        FieldKind.LONG_TEXT,
        required=False,
        private=True,
    ),
)
"""The talk record card (谈心记录卡); notes and follow-up are private."""


class Talk(ActivityType):
    name = "talk"
    title = Label("谈心", "Heart-to-heart talk")
    covers = Coverage.CHILD
    steps = (
        Step(
            "head_teacher_talk",
            Label("班主任谈心", "Head teacher's talk"),
            Role.HEAD_TEACHER,
            due=at_end(),
            record=TALK_RECORD,
            spread=True,
        ),
        Step(
            "pairing_teacher_talk",
            Label("帮扶教师谈心", "Pairing teacher's talk"),
            Role.PAIRING_TEACHER,
            due=at_end(),
            record=TALK_RECORD,
            spread=True,
        ),
    )
    reminders = (Reminder(0),)
    # 重点帮扶对象: a talk every half month rather than every month (docs/calendars.md)
    key_children_every = "half_month"


@hookimpl
def register_activity_types(register):
    register(Talk)
