"""``guanai caseplan``: learning-support plans (学习帮扶计划) and individual education plans
(个别教育管理方案), their checks and the children's progress archives (进步档案).

The coordinator opens, revises and closes plans; each check date becomes a task for every
teacher the plan names, for every child on it (their agendas, feeds and phone pages show it).
Teachers read the plans naming them.
"""

from __future__ import annotations

from datetime import date, datetime

import click
from rich.markup import escape
from rich.table import Table

from guanai.cli.context import NOW_OPTION, UserError, console, pass_service, say
from guanai.cli.times import school_time
from guanai.cli.views import STATE_LABELS
from guanai.core.case_plans import (
    KIND_LABELS,
    STATUS_LABELS,
    TEXTS,
    ArchiveEntry,
    CasePlanView,
    PlanChanges,
    labelled_texts,
    record_labels,
)
from guanai.core.i18n import Label, yes_no
from guanai.core.models import TaskState
from guanai.service import Guanai

KINDS = click.Choice(["learning", "individual"])


def _texts(pairs: tuple[str, ...]) -> dict[str, str] | None:
    """``KEY=TEXT`` pairs, the key as the plan's key or Chinese label (帮扶目标=…)."""
    if not pairs:
        return None
    labels = {label.zh: key for fields in TEXTS.values() for key, label in fields}
    texts: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UserError(say(f"「{pair}」应写成 项目=内容", f"'{pair}' should read FIELD=TEXT"))
        texts[labels.get(key.strip(), key.strip())] = value
    return texts


def _dates(values: tuple[str, ...]) -> list[date] | None:
    if not values:
        return None
    try:
        return [date.fromisoformat(value) for value in values]
    except ValueError as error:
        raise UserError(
            say(f"检查日期应写成 2026-10-20：{error}", f"a check date reads 2026-10-20: {error}")
        ) from None


_CHILD = click.option(
    "--child", "children", multiple=True, metavar="STUDENT_NO", help="学生学号，可多次 / a child"
)
_TEACHER = click.option(
    "--teacher", "teachers", multiple=True, metavar="CODE", help="教师工号，可多次 / a teacher"
)
_CHECK = click.option(
    "--check", "checks", multiple=True, metavar="DATE", help="检查日期，可多次 / a check date"
)
_TEXT = click.option(
    "--text",
    "texts",
    multiple=True,
    metavar="FIELD=TEXT",
    help="计划内容：学习帮扶计划 帮扶目标、帮扶时间、帮扶内容、阶段性效果目标；个别教育方案 "
    "存在问题、教育管理措施 / the plan's texts, by key or Chinese label",
)


@click.group()
def caseplan() -> None:
    """学习帮扶计划与个别教育方案 / Learning-support and individual education plans."""


@caseplan.command("open")
@click.argument("kind", type=KINDS)
@click.option("--title", required=True, help="计划标题 / title")
@_CHILD
@_TEACHER
@_CHECK
@_TEXT
@click.option("--school", metavar="CODE", help="学校代码 / school code")
@NOW_OPTION
@pass_service
def open_command(
    service: Guanai,
    kind: str,
    title: str,
    children: tuple[str, ...],
    teachers: tuple[str, ...],
    checks: tuple[str, ...],
    texts: tuple[str, ...],
    school: str | None,
    now: datetime | None,
) -> None:
    """新建计划（learning 学习帮扶计划 / individual 个别教育方案）/ Open a plan.

    Every check date becomes a task for each teacher, for each child on the plan.
    """
    view = service.open_case_plan(
        kind,
        title=title,
        children=children,
        teachers=teachers,
        texts=_texts(texts) or {},
        checks=_dates(checks) or [],
        school_code=school,
        now=now,
    )
    console.print(
        say(
            f"已新建{KIND_LABELS[kind].zh} {view.id}（{len(view.children)} 名学生，"
            f"{len(view.checks)} 个检查日期）。",
            f"Opened {KIND_LABELS[kind].en} {view.id} ({len(view.children)} children, "
            f"{len(view.checks)} check dates).",
        )
    )


@caseplan.command("revise")
@click.argument("plan_id", type=int)
@click.option("--title", help="新标题 / new title")
@_CHILD
@_TEACHER
@_CHECK
@_TEXT
@click.option("--note", help="修改说明 / what changed and why")
@NOW_OPTION
@pass_service
def revise_command(
    service: Guanai,
    plan_id: int,
    title: str | None,
    children: tuple[str, ...],
    teachers: tuple[str, ...],
    checks: tuple[str, ...],
    texts: tuple[str, ...],
    note: str | None,
    now: datetime | None,
) -> None:
    """修改计划，保留每一版 / Revise a plan; every version is kept.

    --child, --teacher and --check, when given, replace the lists; --text changes one text.
    """
    changes = PlanChanges(
        title,
        list(children) or None,
        list(teachers) or None,
        _texts(texts),
        _dates(checks),
    )
    view = service.revise_case_plan(plan_id, changes, note=note, now=now)
    console.print(
        say(
            f"计划 {plan_id} 已修改为第 {view.versions[-1].version} 版。",
            f"Plan {plan_id} is now version {view.versions[-1].version}.",
        )
    )


@caseplan.command("close")
@click.argument("plan_id", type=int)
@click.option("--outcome", required=True, help="帮扶结果 / the outcome")
@NOW_OPTION
@pass_service
def close_command(service: Guanai, plan_id: int, outcome: str, now: datetime | None) -> None:
    """结束计划并记录结果 / Close a plan with its outcome."""
    service.close_case_plan(plan_id, outcome, now=now)
    console.print(say(f"计划 {plan_id} 已结束。", f"Plan {plan_id} is closed."))


@caseplan.command("show")
@click.argument("plan_id", type=int)
@pass_service
def show_command(service: Guanai, plan_id: int) -> None:
    """显示计划、检查、修改记录和检查记录 / Show a plan, its checks, versions and reviews."""
    _print_plan(service.case_plan(plan_id))
    entries = service.case_plan_archive(plan_id)
    if entries:
        console.print(say("检查记录：", "Reviews:"))
    for entry in entries:
        _print_entry(service, entry, f"{entry.child}（{entry.student_no}）")


@caseplan.command("list")
@click.option("--kind", type=KINDS, help="只列一类 / one kind only")
@click.option("--school", metavar="CODE", help="学校代码 / school code")
@pass_service
def list_command(service: Guanai, kind: str | None, school: str | None) -> None:
    """列出计划 / List the plans."""
    rows = service.case_plans(school, kind=kind)
    if not rows:
        console.print(say("还没有计划。", "No plans yet."))
        return
    table = Table()
    for header in (
        Label("编号", "no."),
        Label("类型", "kind"),
        Label("标题", "title"),
        Label("状态", "status"),
        Label("学生", "children"),
        Label("下次检查", "next check"),
    ):
        table.add_column(str(header))
    for row in rows:
        table.add_row(
            str(row.id),
            str(KIND_LABELS[row.kind]),
            row.title,
            str(STATUS_LABELS[row.status]),
            str(row.children),
            str(row.next_check or ""),
        )
    console.print(table)


@caseplan.command("archive")
@click.argument("student_no")
@click.option("--school", metavar="CODE", help="学校代码 / school code")
@pass_service
def archive_command(service: Guanai, student_no: str, school: str | None) -> None:
    """一名学生的进步档案 / A child's progress archive: every check and its record."""
    entries = service.progress_archive(student_no, school)
    if not entries:
        console.print(say(f"学号 {student_no} 还没有进步档案。", f"No archive for {student_no}."))
        return
    console.print(say(f"进步档案 · {student_no}", f"Progress archive · {student_no}"))
    for entry in entries:
        _print_entry(service, entry, f"{entry.plan_id} {entry.plan_title}")


def _print_entry(service: Guanai, entry: ArchiveEntry, about: str) -> None:
    """One check of an archive: its date, what it is about, the teacher, state and record."""
    state = STATE_LABELS[TaskState(entry.state)]
    console.print(f"{entry.due_on} · {about} · {entry.teacher or ''} · {state}")
    labels = record_labels(service.registry, entry.kind)
    for key, value in (entry.record or {}).items():
        console.print(f"    {labels.get(key, key)}：{_shown(value)}")


@caseplan.command("missing")
@click.option("--school", metavar="CODE", help="学校代码 / school code")
@pass_service
def missing_command(service: Guanai, school: str | None) -> None:
    """没有个别教育方案的重点帮扶对象 / Key targets with no current individual plan."""
    rows = service.key_children_without_plan(school)
    if not rows:
        console.print(
            say("每名重点帮扶对象都有个别教育方案。", "Every key target has an individual plan.")
        )
        return
    console.print(
        say(
            f"{len(rows)} 名重点帮扶对象还没有个别教育方案：",
            f"{len(rows)} key targets have no individual plan:",
        )
    )
    for number, name, klass in rows:
        console.print(f"  {number}  {name}  {klass}")


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return str(yes_no(value))
    return str(value)


def _print_plan(view: CasePlanView) -> None:
    console.print(
        f"[bold]{view.id} · {KIND_LABELS[view.kind]} · {escape(view.title)}[/bold] "
        f"({STATUS_LABELS[view.status]}, {view.opened_on}"
        + (f" – {view.closed_on}" if view.closed_on else "")
        + ")",
        markup=True,
    )
    for label, text in labelled_texts(view):
        console.print(f"{label}：{text}")
    if view.outcome:
        console.print(say(f"结果：{view.outcome}", f"Outcome: {view.outcome}"))
    children = "、".join(f"{name}（{no}，{klass}）" for no, name, klass in view.children)
    console.print(say(f"学生：{children}", f"Children: {children}"))
    teachers = "、".join(f"{name}（{code}）" for code, name in view.teachers)
    console.print(say(f"教师：{teachers}", f"Teachers: {teachers}"))
    for check in view.checks:
        console.print(
            say(
                f"检查 {check.due_on}：已完成 {check.done}，未完成 {check.open}",
                f"check {check.due_on}: {check.done} done, {check.open} open",
            )
        )
    for version in view.versions:
        when = f"{version.revised_by} · {school_time(version.revised_at)}"
        note = f" · {version.note}" if version.note else ""
        console.print(
            say(
                f"第 {version.version} 版 · {when}{note}",
                f"version {version.version} · {when}{note}",
            )
        )


COMMANDS: tuple[click.Command, ...] = (caseplan,)
