"""Family phone call (亲情电话): a scheduled call between a child and the parents working away.

The head teacher arranges for each left-behind child to call home on the school's phone and
notes when, how long and with whom the child spoke.
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


class FamilyPhone(ActivityType):
    name = "family_phone"
    title = Label("亲情电话", "Family phone call")
    ledger_sheet = Label("电话联系记录", "Family calls")
    covers = Coverage.CHILD
    steps = (
        Step(
            "call",
            Label("安排亲情通话", "Arrange the call home"),
            Role.HEAD_TEACHER,
            due=at_end(),
            spread=True,
            record=(
                Field("date", Label("通话日期", "Date of call"), FieldKind.DATE),
                Field(
                    "duration_minutes",
                    Label("通话时长（分钟）", "Length (minutes)"),
                    FieldKind.INTEGER,
                ),
                Field(
                    "who_called",
                    Label("通话对象", "Spoke with"),
                    FieldKind.CHOICE,
                    choices=("父亲", "母亲", "父母", "其他"),
                ),
                Field(
                    "notes",
                    Label("备注", "Notes"),
                    FieldKind.LONG_TEXT,
                    required=False,
                    private=True,
                ),
            ),
        ),
    )
    reminders = (Reminder(0),)


@hookimpl
def register_activity_types(register):
    register(FamilyPhone)
