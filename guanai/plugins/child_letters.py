"""A letter home (写信汇报): the child writes to the parents working away about study and life.

The plans ask for it in April and December, apart from the letter with the exam results
(exam_letters): the head teacher sees that each child writes and that the letter is sent.
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


class ChildLetter(ActivityType):
    name = "child_letter"
    title = Label("给父母写信汇报", "Letter home from the child")
    ledger_sheet = Label("书信记录", "Letters")
    covers = Coverage.CHILD
    steps = (
        Step(
            "send",
            Label("指导孩子写信并寄出", "See the letter written and sent"),
            Role.HEAD_TEACHER,
            due=at_end(),
            spread=True,
            record=(
                Field("sent_on", Label("寄出日期", "Date sent"), FieldKind.DATE),
                Field(
                    "how",
                    Label("寄送方式", "Sent by"),
                    FieldKind.CHOICE,
                    choices=("邮寄", "微信", "其他"),
                ),
            ),
        ),
    )
    reminders = (Reminder(1), Reminder(0))


@hookimpl
def register_activity_types(register):
    register(ChildLetter)
