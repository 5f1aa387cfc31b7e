"""Class-level meetings: the guardian meeting (监护人会) and the theme class meeting (主题班会).

Head teachers invite the guardians of their class's left-behind children (usually
grandparents) to a meeting with the school, and hold a "care for left-behind children"
theme class meeting with the class.
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


class GuardianMeeting(ActivityType):
    name = "guardian_meeting"
    title = Label("监护人会", "Guardian meeting")
    ledger_sheet = Label("会议记录", "Meetings")
    covers = Coverage.CLASS
    steps = (
        Step(
            "invite_guardians",
            Label("通知监护人参会", "Invite the guardians"),
            Role.HEAD_TEACHER,
            due=at_end(-3),
        ),
        Step(
            "hold_meeting",
            Label("召开监护人会", "Hold the meeting"),
            Role.HEAD_TEACHER,
            after=("invite_guardians",),
            due=at_end(),
            record=(
                Field("date", Label("会议日期", "Date"), FieldKind.DATE),
                Field("attendees", Label("到会人数", "Guardians attending"), FieldKind.INTEGER),
                Field("topics", Label("会议内容", "Topics")),
                Field(
                    "notes",
                    Label("会议记录", "Minutes"),
                    FieldKind.LONG_TEXT,
                    required=False,
                    private=True,
                ),
            ),
        ),
    )
    reminders = (Reminder(1), Reminder(0))


class ThemeClassMeeting(ActivityType):
    name = "theme_class_meeting"
    title = Label("关爱留守儿童主题班会", "Theme class meeting")
    covers = Coverage.CLASS
    steps = (
        Step(
            "hold_meeting",
            Label("召开主题班会", "Hold the class meeting"),
            Role.HEAD_TEACHER,
            due=at_end(),
            record=(
                Field("date", Label("班会日期", "Date"), FieldKind.DATE),
                Field("theme", Label("班会主题", "Theme")),
                Field("summary", Label("班会小结", "Summary"), FieldKind.LONG_TEXT),
            ),
        ),
    )
    reminders = (Reminder(1), Reminder(0))


@hookimpl
def register_activity_types(register):
    register(GuardianMeeting)
    register(ThemeClassMeeting)
