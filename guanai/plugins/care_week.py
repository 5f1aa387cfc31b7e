"""Care week (关爱留守儿童活动周): a school-wide week of activities for left-behind children.

The care office plans the week before it starts, runs its activities and, once it is over,
writes the summary report that goes up to the education bureau.
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


class CareWeek(ActivityType):
    name = "care_week"
    title = Label("关爱留守儿童活动周", "Care week")
    covers = Coverage.SCHOOL
    steps = (
        Step(
            "plan",
            Label("制定活动周方案", "Plan the week"),
            Role.COORDINATOR,
            starts=at_start(-5),
            due=at_start(),
        ),
        Step(
            "hold_activities",
            Label("开展活动", "Hold the activities"),
            Role.COORDINATOR,
            due=at_end(),
            record=(
                Field("activities", Label("开展的活动", "Activities held"), FieldKind.LONG_TEXT),
                Field("participants", Label("参加人数", "Participants"), FieldKind.INTEGER),
            ),
        ),
        Step(
            "summary_report",
            Label("活动总结上报", "Write and send the summary report"),
            Role.COORDINATOR,
            after=("hold_activities",),
            starts=at_end(),
            due=at_end(3),
            record=(
                Field("submitted_on", Label("上报日期", "Date sent"), FieldKind.DATE),
                Field("summary", Label("活动总结", "Summary"), FieldKind.LONG_TEXT),
            ),
        ),
    )
    reminders = (Reminder(1), Reminder(0))


@hookimpl
def register_activity_types(register):
    register(CareWeek)
