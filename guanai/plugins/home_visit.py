"""Home visit (家访): a pairing teacher visits a left-behind child's home.

The teacher meets the guardian (or the parents, when they are home) to learn how the child
lives, and records what was found and what will follow. Findings are private.
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


class HomeVisit(ActivityType):
    name = "home_visit"
    title = Label("家访", "Home visit")
    ledger_sheet = Label("家访记录", "Home visits")
    covers = Coverage.CHILD
    steps = (
        Step(
            "visit",
            Label("入户家访", "Visit the home"),
            Role.PAIRING_TEACHER,
            due=at_end(),
            spread=True,
            record=(
                Field("date", Label("家访日期", "Date of visit"), FieldKind.DATE),
                Field(
                    "visited",
                    Label("家访对象", "Met with"),
                    FieldKind.CHOICE,
                    choices=("监护人", "父母", "其他"),
                ),
                Field(
                    "findings",
                    Label("家访情况", "Findings"),
                    FieldKind.LONG_TEXT,
                    private=True,
                ),
                Field(
                    "follow_up",
                    Label("后续跟进措施", "Follow-up"),
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
    register(HomeVisit)
