"""School events the plans name that a class or the care office holds once: the mental-health
class (心理健康教育课), the symposium of pairing teachers, children and guardians (座谈会) and
the parent school (家长学校 / 家长培训)."""

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


def _held(count: Label) -> tuple[Field, ...]:
    return (
        Field("date", Label("日期", "Date"), FieldKind.DATE),
        Field("topic", Label("主题", "Topic")),
        Field("attended", count, FieldKind.INTEGER),
        Field("summary", Label("小结", "Summary"), FieldKind.LONG_TEXT),
    )


def _planned(what: Label) -> Step:
    return Step(
        "plan",
        Label(f"制定{what.zh}方案", f"Plan the {what.en}"),
        Role.COORDINATOR,
        starts=at_start(-5),
        due=at_start(),
        record=(Field("plan", Label("方案要点", "Outline of the plan"), FieldKind.LONG_TEXT),),
    )


class MentalHealthClass(ActivityType):
    name = "mental_health_class"
    title = Label("心理健康教育课", "Mental-health class")
    covers = Coverage.CLASS
    steps = (
        Step(
            "give_class",
            Label("上心理健康教育课", "Give the class"),
            Role.HEAD_TEACHER,
            due=at_end(),
            record=_held(Label("参加人数", "Children present")),
        ),
    )
    reminders = (Reminder(1), Reminder(0))


class Symposium(ActivityType):
    name = "symposium"
    title = Label("师生、家长座谈会", "Symposium of teachers, children and guardians")
    ledger_sheet = Label("会议记录", "Meetings")
    steps = (
        _planned(Label("座谈会", "symposium")),
        Step(
            "hold",
            Label("召开座谈会", "Hold the symposium"),
            Role.COORDINATOR,
            after=("plan",),
            due=at_end(),
            record=(
                Field("date", Label("日期", "Date"), FieldKind.DATE),
                Field("teachers", Label("教师人数", "Teachers"), FieldKind.INTEGER),
                Field("children", Label("学生人数", "Children"), FieldKind.INTEGER),
                Field("guardians", Label("家长人数", "Guardians"), FieldKind.INTEGER),
                Field("summary", Label("座谈纪要", "Minutes"), FieldKind.LONG_TEXT),
            ),
        ),
    )
    reminders = (Reminder(2), Reminder(0))


class ParentSchool(ActivityType):
    name = "parent_school"
    title = Label("家长学校（家长培训）", "Parent school (guardian training)")
    ledger_sheet = Label("会议记录", "Meetings")
    steps = (
        _planned(Label("培训", "training")),
        Step(
            "hold",
            Label("开展家长培训", "Hold the training"),
            Role.COORDINATOR,
            after=("plan",),
            due=at_end(),
            record=_held(Label("参加家长人数", "Guardians attending")),
        ),
    )
    reminders = (Reminder(2), Reminder(0))


@hookimpl
def register_activity_types(register):
    register(MentalHealthClass)
    register(Symposium)
    register(ParentSchool)
