"""Welcome-back week (新学期欢迎留守儿童"回家"活动) at the start of each term.

The school welcomes its left-behind children back: head teachers bring each child's contact
card up to date and confirm the class's one-to-one pairings, the care office holds a welcome
activity, and each pairing teacher has a first talk with each child soon after the week.
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
from guanai.plugins.talks import TALK_RECORD


class WelcomeBack(ActivityType):
    name = "welcome_back"
    title = Label('新学期欢迎留守儿童"回家"活动', "Welcome-back week")
    covers = Coverage.CHILD
    steps = (
        Step(
            "update_contact_card",
            Label("更新联系卡", "Update the contact card"),
            Role.HEAD_TEACHER,
            record=(
                Field("updated", Label("是否有变动", "Details changed"), FieldKind.BOOLEAN),
                Field(
                    "changes",
                    Label("变动内容", "What changed"),
                    FieldKind.LONG_TEXT,
                    required=False,
                    private=True,
                ),
            ),
        ),
        Step(
            "welcome_activity",
            Label("举办欢迎活动", "Hold the welcome activity"),
            Role.COORDINATOR,
            covers=Coverage.SCHOOL,
            record=(
                Field("date", Label("活动日期", "Date"), FieldKind.DATE),
                Field("place", Label("活动地点", "Place")),
                Field("participants", Label("参加人数", "Participants"), FieldKind.INTEGER),
                Field("summary", Label("活动小结", "Summary"), FieldKind.LONG_TEXT),
            ),
        ),
        Step(
            "confirm_pairings",
            Label("确认结对帮扶", "Confirm the pairings"),
            Role.HEAD_TEACHER,
            covers=Coverage.CLASS,
            record=(
                Field("confirmed", Label("结对已确认", "Pairings confirmed"), FieldKind.BOOLEAN),
                Field("notes", Label("备注", "Notes"), FieldKind.LONG_TEXT, required=False),
            ),
        ),
        Step(
            "first_talk",
            Label("开学首次谈心", "First talk of the term"),
            Role.PAIRING_TEACHER,
            due=at_end(5),
            record=TALK_RECORD,
            spread=True,
        ),
    )
    reminders = (Reminder(1), Reminder(0))


@hookimpl
def register_activity_types(register):
    register(WelcomeBack)
