"""Safety education (安全教育): a class lesson on keeping safe, such as drowning prevention.

Each head teacher gives the class a safety lesson on the topic of the season (drowning
prevention before summer, traffic, fire or food safety) and notes what was covered.
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


class SafetyEducation(ActivityType):
    name = "safety_education"
    title = Label("安全教育", "Safety education")
    covers = Coverage.CLASS
    steps = (
        Step(
            "give_lesson",
            Label("开展安全教育课", "Give the safety lesson"),
            Role.HEAD_TEACHER,
            due=at_end(),
            record=(
                Field("date", Label("日期", "Date"), FieldKind.DATE),
                Field(
                    "topic",
                    Label("教育主题", "Topic"),
                    FieldKind.CHOICE,
                    choices=("防溺水", "交通安全", "消防安全", "食品安全", "其他"),
                ),
                Field("summary", Label("教育小结", "Summary"), FieldKind.LONG_TEXT),
            ),
        ),
    )
    reminders = (Reminder(1), Reminder(0))


@hookimpl
def register_activity_types(register):
    register(SafetyEducation)
