"""New Year party (元旦联欢会): the school's party for its left-behind children at New Year.

Many of the children's parents are not home for the holiday, so the school holds a party
for them. The care office prepares it in the days before and holds it on the day.
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
    at_start,
    hookimpl,
)


class NewYearParty(ActivityType):
    name = "new_year_party"
    title = Label("元旦联欢会", "New Year party")
    covers = Coverage.SCHOOL
    steps = (
        Step(
            "prepare",
            Label("筹备联欢会", "Prepare the party"),
            Role.COORDINATOR,
            starts=at_start(-10),
            due=at_start(-3),
        ),
        Step(
            "hold",
            Label("举办联欢会", "Hold the party"),
            Role.COORDINATOR,
            due=at_end(),
            record=(
                Field("date", Label("日期", "Date"), FieldKind.DATE),
                Field("participants", Label("参加人数", "Participants"), FieldKind.INTEGER),
                Field("summary", Label("活动小结", "Summary"), FieldKind.LONG_TEXT),
            ),
        ),
    )
    reminders = (Reminder(1), Reminder(0))


@hookimpl
def register_activity_types(register):
    register(NewYearParty)
