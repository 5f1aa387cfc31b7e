"""Fun sports day (趣味运动会): a guanai plugin that adds the activity type ``sports_day``.

Many schools hold a fun sports day in the autumn term, with team events (tug of war, relay,
three-legged race) rather than individual races, so that every left-behind child takes part
in a team of classmates. The care office plans it three weeks ahead, each head teacher
registers the class's teams, and the care office holds it and records how it went.

This module is the whole plugin. It imports only from ``guanai``, the public API; the entry
point in pyproject.toml (group ``guanai``) is what makes guanai load it.
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

__all__ = ["SportsDay", "register_activity_types"]


class SportsDay(ActivityType):
    """A one-day school event. Its day comes from the term calendar's ``[[plan]]`` entry."""

    name = "sports_day"
    title = Label("趣味运动会", "Fun sports day")
    covers = Coverage.SCHOOL  # the default coverage of the steps below: one task per school
    steps = (
        Step(
            "plan",
            Label("筹划运动会", "Plan the sports day"),
            Role.COORDINATOR,
            # Offsets count school days from the activity's first day: from 15 school days
            # before it, to be done 10 school days before it.
            starts=at_start(-15),
            due=at_start(-10),
            record=(
                Field("events", Label("比赛项目", "Events planned")),
                Field("venue", Label("场地", "Venue"), required=False),
                Field(
                    "first_aid",
                    Label("校医或急救人员到场", "First aid on site"),
                    FieldKind.BOOLEAN,
                ),
            ),
        ),
        Step(
            "register_teams",
            Label("班级报名组队", "Register the class's teams"),
            Role.HEAD_TEACHER,
            covers=Coverage.CLASS,  # one task per class, for its head teacher
            starts=at_start(-10),
            due=at_start(-3),
            # No ``after=("plan",)``: a step may only wait for steps of the same coverage, and
            # "plan" covers the school. The dates alone order the two steps.
            record=(
                Field("teams", Label("队伍数", "Teams"), FieldKind.INTEGER),
                Field("athletes", Label("参赛学生人数", "Pupils taking part"), FieldKind.INTEGER),
                Field(
                    "left_behind",
                    Label("参赛留守儿童人数", "Left-behind children taking part"),
                    FieldKind.INTEGER,
                ),
                Field(
                    "health_notes",
                    Label("需特别照顾的学生", "Pupils needing special care"),
                    FieldKind.LONG_TEXT,
                    required=False,
                    private=True,  # about children's health: never in feeds, reminders, logs
                ),
            ),
        ),
        Step(
            "hold",
            Label("举办运动会", "Hold the sports day"),
            Role.COORDINATOR,
            after=("plan",),  # stage 1: due on the day only once "plan" is done
            starts=at_start(),
            due=at_end(),
            record=(
                Field("date", Label("日期", "Date"), FieldKind.DATE),
                Field("events", Label("举行的项目", "Events held")),
                Field("participants", Label("参加人数", "Participants"), FieldKind.INTEGER),
                Field("injuries", Label("有无受伤", "Any injuries"), FieldKind.BOOLEAN),
                Field(
                    "injury_details",
                    Label("受伤情况及处理", "Injuries and how they were treated"),
                    FieldKind.LONG_TEXT,
                    required=False,
                    private=True,
                ),
                Field("summary", Label("活动小结", "Summary"), FieldKind.LONG_TEXT),
            ),
        ),
    )
    # Reminders to each task's assignee: two calendar days before the task's day, and on it.
    reminders = (Reminder(2), Reminder(0))

    def calendar_summary(self, step: Step, subject: str | None) -> Label:
        """The day itself is one school-wide event in every teacher's feed."""
        if step.name == "hold":
            return self.title
        return super().calendar_summary(step, subject)


@hookimpl
def register_activity_types(register):
    register(SportsDay)
