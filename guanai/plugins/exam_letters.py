"""Exam-result letters (期末成绩家书): after the final exams, a letter home to the parents.

Each left-behind child writes to the parents about the term; the head teacher adds the
child's results and a report on the term; the letter is sent; then someone at home confirms
it arrived. The steps run one after another, each named in the next one's ``after``.
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
    at_start,
    hookimpl,
)


class ExamLetters(ActivityType):
    name = "exam_letters"
    title = Label("期末成绩家书", "Exam-result letters")
    ledger_sheet = Label("书信记录", "Letters")
    covers = Coverage.CHILD
    steps = (
        Step(
            "child_writes",
            Label("孩子给父母写信", "Child writes to the parents"),
            Role.HEAD_TEACHER,
            due=at_start(1),
            record=(Field("written", Label("信已写好", "Letter written"), FieldKind.BOOLEAN),),
        ),
        Step(
            "teacher_report",
            Label("教师附上成绩与表现报告", "Teacher adds results and a report"),
            Role.HEAD_TEACHER,
            after=("child_writes",),
            due=at_start(2),
            record=(
                Field(
                    "summary",
                    Label("成绩与表现", "Results and conduct"),
                    FieldKind.LONG_TEXT,
                    private=True,
                ),
            ),
        ),
        Step(
            "letter_sent",
            Label("寄出家书", "Send the letter"),
            Role.HEAD_TEACHER,
            after=("teacher_report",),
            due=at_start(3),
            record=(
                Field("date", Label("寄出日期", "Date sent"), FieldKind.DATE),
                Field(
                    "method",
                    Label("寄送方式", "Sent by"),
                    FieldKind.CHOICE,
                    choices=("邮寄", "微信", "面交监护人"),
                ),
            ),
        ),
        Step(
            "receipt_confirmed",
            Label("确认家长收到", "Confirm the letter arrived"),
            Role.HEAD_TEACHER,
            after=("letter_sent",),
            due=at_start(5),
            record=(
                Field("date", Label("确认日期", "Date confirmed"), FieldKind.DATE),
                Field(
                    "confirmed_by",
                    Label("确认人", "Confirmed by"),
                    FieldKind.CHOICE,
                    choices=("父亲", "母亲", "监护人"),
                ),
            ),
        ),
    )
    reminders = (Reminder(0),)


@hookimpl
def register_activity_types(register):
    register(ExamLetters)
