"""``pair`` and ``pairings``: pairing children with teachers and buddies (结对帮扶).

Only the coordinator (关爱办) changes pairings. Anyone with an account may list them, but a
child's name shows only to those who may see the child's record (the coordinator; a teacher
for their own children); everyone else sees it masked (张*).
"""

from __future__ import annotations

from datetime import datetime

import click
from rich.table import Table

from guanai.cli.context import NOW_OPTION, UserError, console, pass_service, say, stderr
from guanai.core.i18n import Label
from guanai.core.pairing import PairingChange, PairingReport
from guanai.service import Guanai


@click.command()
@click.argument("student_no", required=False)
@click.option("--auto", is_flag=True, help="为所有未结对的学生自动结对 / pair every unpaired child")
@click.option("--school", metavar="CODE", help="学校代码 / school code")
@click.option(
    "--max",
    "max_per_teacher",
    type=click.IntRange(1),
    help="每位教师最多结对人数（仅 --auto）/ most children per teacher (--auto only)",
)
@click.option("--teacher", "teacher_code", metavar="CODE", help="新的帮扶教师工号 / new teacher")
@click.option("--buddy", "buddy_no", metavar="STUDENT_NO", help="新的学习帮手学号 / new buddy")
@NOW_OPTION
@pass_service
def pair(
    service: Guanai,
    student_no: str | None,
    auto: bool,
    school: str | None,
    max_per_teacher: int | None,
    teacher_code: str | None,
    buddy_no: str | None,
    now: datetime | None,
) -> None:
    """结对帮扶：自动结对，或修改一名学生的结对 / Pair children with teachers and buddies.

    guanai pair --auto pairs every unpaired child, balancing teachers' loads and keeping
    existing pairings; guanai pair STUDENT_NO --teacher CODE --buddy STUDENT_NO changes one
    child's pairing (the old one is ended and kept in the history).
    """
    if auto == (student_no is not None):
        raise UserError(
            say(
                "请使用 --auto 或给出一个学号（二者选一）",
                "give either --auto or one student number",
            )
        )
    if auto and (teacher_code or buddy_no):
        raise UserError(
            say("--teacher 和 --buddy 只用于单个学生", "--teacher and --buddy are for one student")
        )
    if not auto and max_per_teacher is not None:
        raise UserError(say("--max 只用于 --auto", "--max is for --auto only"))
    if auto:
        _print_report(
            service.pair_automatically(school_code=school, max_per_teacher=max_per_teacher, now=now)
        )
    else:
        assert student_no is not None
        _print_change(
            service.set_pairing(
                student_no, teacher_code, buddy_no=buddy_no, school_code=school, now=now
            )
        )


def _print_report(report: PairingReport) -> None:
    table = Table(title=say("自动结对：各教师结对人数", "Auto-pairing: children per teacher"))
    for header in (
        Label("工号", "code"),
        Label("教师", "teacher"),
        Label("结对前", "before"),
        Label("结对后", "after"),
        Label("新增", "added"),
    ):
        table.add_column(
            str(header), justify="right" if header.en in ("before", "after", "added") else "left"
        )
    for load in report.loads:
        name = load.name + (say("（关爱办）", " (coordinator)") if load.is_coordinator else "")
        style = "yellow" if load.after > report.limit else None
        added = load.after - load.before
        table.add_row(load.code, name, str(load.before), str(load.after), str(added), style=style)
    console.print(table)
    console.print(
        say(
            f"已为 {report.paired} 名学生结对；{report.handover.reassigned} 项帮扶教师任务"
            "（谈心、家访等）转给新的帮扶教师。",
            f"Paired {report.paired} children; {report.handover.reassigned} pairing-teacher tasks "
            "(talks, visits) handed to their new pairing teachers.",
        )
    )
    for load in report.over_limit:
        stderr.print(
            say(
                f"注意：教师 {load.code} 结对 {load.after} 名学生，超过 {report.limit} 名。",
                f"WARNING: teacher {load.code} has {load.after} children, more than {report.limit}.",
            ),
            style="yellow",
        )
    if report.to_coordinator:
        stderr.print(
            say(
                f"注意：其他教师已满，{report.to_coordinator} 名学生由关爱办结对。",
                f"WARNING: other teachers are full; {report.to_coordinator} children are paired "
                "with the coordinator.",
            ),
            style="yellow",
        )
    if report.unpaired:
        numbers = ", ".join(report.unpaired)
        stderr.print(
            say(
                f"注意：没有教师还有名额，{len(report.unpaired)} 名学生未结对：{numbers}",
                f"WARNING: no teacher has room; {len(report.unpaired)} children are not paired: "
                f"{numbers}",
            ),
            style="yellow",
        )
    if report.without_buddy:
        numbers = ", ".join(report.without_buddy)
        stderr.print(
            say(
                f"注意：{len(report.without_buddy)} 名学生班上没有可做学习帮手的同学：{numbers}",
                f"WARNING: {len(report.without_buddy)} children have no classmate free to be "
                f"their buddy: {numbers}",
            ),
            style="yellow",
        )


def _print_change(change: PairingChange) -> None:
    if not change.changed:
        console.print(
            say(
                f"学号 {change.student_no} 的结对没有变化。",
                f"Student {change.student_no}: pairing unchanged.",
            )
        )
        return
    none = say("无", "none")
    parts = []
    for label, before, after in (
        (Label("帮扶教师", "pairing teacher"), change.teacher_before, change.teacher_after),
        (Label("学习帮手", "buddy"), change.buddy_before, change.buddy_after),
    ):
        if before == after:
            parts.append(
                say(f"{label.zh} {after or none}（不变）", f"{label.en} {after or none} (kept)")
            )
        else:
            parts.append(f"{label} {before or none} → {after or none}")
    handed = change.handover.reassigned
    console.print(
        say(
            f"学号 {change.student_no}：{'，'.join(parts)}；{handed} 项帮扶教师任务"
            "（谈心、家访等）转给新的帮扶教师。",
            f"Student {change.student_no}: {', '.join(parts)}; {handed} pairing-teacher tasks "
            "(talks, visits) handed to the new pairing teacher.",
        )
    )


@click.command()
@click.option("--school", metavar="CODE", help="学校代码 / school code")
@click.option("--teacher", "teacher_code", metavar="CODE", help="只看此教师 / only this teacher")
@pass_service
def pairings(service: Guanai, school: str | None, teacher_code: str | None) -> None:
    """列出当前的结对 / List current pairings: child, class, teacher, buddy."""
    rows = service.pairings(school, teacher_code)
    if not rows:
        console.print(say("没有当前的结对。", "No current pairings."))
        return
    table = Table(title=say(f"当前结对（{len(rows)}）", f"Current pairings ({len(rows)})"))
    for header in (
        Label("学号", "student no."),
        Label("姓名", "name"),
        Label("班级", "class"),
        Label("帮扶教师", "pairing teacher"),
        Label("学习帮手", "buddy"),
        Label("开始", "since"),
    ):
        table.add_column(str(header))
    for row in rows:
        buddy = f"{row.buddy_name} ({row.buddy_no})" if row.buddy_no is not None else ""
        teacher = f"{row.teacher_name} ({row.teacher_code})"
        table.add_row(row.student_no, row.name, row.class_name, teacher, buddy, str(row.started_on))
    console.print(table)


COMMANDS: tuple[click.Command, ...] = (pair, pairings)
