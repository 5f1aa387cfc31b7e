"""The checks of case plans: a learning-support plan's periodic checks (学习帮扶计划，"定期检查")
and a key child's individual-plan reviews (个别教育管理方案的跟进).

These types are not planned by a calendar: each check date of a plan (``guanai caseplan``)
becomes one task per child of the plan and teacher named on it, due on that date. The records
the teachers write are the child's progress archive (进步档案); what was done and what changed
is private, the date and whether the milestone was reached are what a ledger shows.
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


class LearningSupportCheck(ActivityType):
    name = "learning_support_check"
    title = Label("学习帮扶检查", "Learning-support check")
    covers = Coverage.CHILD
    case_plan = "learning"
    ledger_sheet = Label("学习帮扶检查记录", "Learning-support checks")
    steps = (
        Step(
            "check",
            Label("检查帮扶效果", "Check the support against its milestone"),
            Role.PLAN_TEACHER,
            due=at_end(),
            record=(
                Field("date", Label("检查日期", "Date of check"), FieldKind.DATE),
                Field(
                    "done",
                    Label("本阶段帮扶内容", "What was done"),
                    FieldKind.LONG_TEXT,
                    private=True,
                ),
                Field(
                    "result",
                    Label("阶段性效果", "Result against the milestone"),
                    FieldKind.LONG_TEXT,
                    private=True,
                ),
                Field(
                    "milestone_met",
                    Label("达到阶段目标", "Milestone reached"),
                    FieldKind.BOOLEAN,
                ),
            ),
        ),
    )
    reminders = (Reminder(3), Reminder(0))


class IndividualPlanReview(ActivityType):
    name = "individual_plan_review"
    title = Label("个别教育方案跟进", "Individual plan review")
    covers = Coverage.CHILD
    case_plan = "individual"
    ledger_sheet = Label("个别教育方案跟进记录", "Individual plan reviews")
    steps = (
        Step(
            "review",
            Label("跟进个别教育方案", "Review the individual plan"),
            Role.PLAN_TEACHER,
            due=at_end(),
            record=(
                Field("date", Label("跟进日期", "Date of review"), FieldKind.DATE),
                Field(
                    "measures",
                    Label("措施落实情况", "How the measures were carried out"),
                    FieldKind.LONG_TEXT,
                    private=True,
                ),
                Field(
                    "progress",
                    Label("孩子的变化", "How the child has changed"),
                    FieldKind.LONG_TEXT,
                    private=True,
                ),
                Field(
                    "continue_plan",
                    Label("继续执行方案", "Plan continues"),
                    FieldKind.BOOLEAN,
                ),
            ),
        ),
    )
    reminders = (Reminder(3), Reminder(0))


@hookimpl
def register_activity_types(register):
    register(LearningSupportCheck)
    register(IndividualPlanReview)
