"""``pair`` and ``pairings``: pairing children with teachers and buddies (结对帮扶).

Only the coordinator (关爱办) changes pairings. Anyone with an account may list them, but a
child's name shows only to those who may see the child's record (the coordinator; a teacher
for their own children); everyone else sees it masked (张*).
"""

from __future__ import annotations

import sys
from datetime import datetime

import click
from rich.table import Table

from guanai.cli.context import NOW_OPTION, UserError, console, pass_service, say, stderr
from guanai.core.i18n import Label
from guanai.core.pairing import PairingReport
from guanai.core.pairing_change import PairingChange
from guanai.service import Guanai


@click.command()
@click.argument("student_no", required=False)
@click.option("--auto", is_flag=True, help="为所有未结对的学生自动结对 / pair every unpaired child")
@click.option("--school", metavar="CODE", help="学校代码 / school code")
@click.option(
    "--max",
    "max_per_teacher",
    type=click.IntRange(1),
    help="本次每位教师最多结对人数，代替配置 [pairing] max_children_per_teacher（仅 --auto）"
    " / most children per teacher this time, instead of the setting (--auto only)",
)
@click.option(
    "--over-cap",
    is_flag=True,
    help="允许超过每位教师的结对上限，并列出超过的教师 / allow going past the cap of children "
    "per teacher, and name the teachers over it",
)
@click.option(
    "--yes", is_flag=True, help="不询问，直接写入（用于脚本）/ write without asking (for scripts)"
)
@click.option(
    "--dry-run", is_flag=True, help="只预览，不写入（仅 --auto）/ only preview (--auto only)"
)
@click.option("--teacher", "teacher_code", metavar="CODE", help="新的帮扶教师工号 / new teacher")
@click.option("--buddy", "buddy_no", metavar="STUDENT_NO", help="新的学习帮手学号 / new buddy")
@click.option(
    "--buddy-name",
    metavar="NAME",
    help="不在名单上的同班同学做学习帮手：其姓名 / a classmate not on the roster as buddy, by name",
)
@NOW_OPTION
@pass_service
def pair(
    service: Guanai,
    student_no: str | None,
    auto: bool,
    school: str | None,
    max_per_teacher: int | None,
    over_cap: bool,
    yes: bool,
    dry_run: bool,
    teacher_code: str | None,
    buddy_no: str | None,
    buddy_name: str | None,
    now: datetime | None,
) -> None:
    """结对帮扶：自动结对，或修改一名学生的结对 / Pair children with teachers and buddies.

    guanai pair --auto shows each teacher's load before and after, then asks before it writes
    (--yes: do not ask; --dry-run: only show). It pairs every unpaired child, balancing
    teachers' loads, keeping existing pairings and giving no teacher more children than the cap
    ([pairing] max_children_per_teacher, or --max) unless --over-cap. guanai pair STUDENT_NO
    --teacher CODE --buddy STUDENT_NO changes one child's pairing (the old one is ended and
    kept in the history), held to the same cap; --buddy-name NAME names a classmate who is not
    on the roster as the buddy instead.
    """
    if auto == (student_no is not None):
        raise UserError(
            say(
                "请使用 --auto 或给出一个学号（二者选一）",
                "give either --auto or one student number",
            )
        )
    if auto and (teacher_code or buddy_no or buddy_name):
        raise UserError(
            say(
                "--teacher、--buddy 和 --buddy-name 只用于单个学生",
                "--teacher, --buddy and --buddy-name are for one student",
            )
        )
    if not auto and (max_per_teacher is not None or dry_run):
        raise UserError(
            say("--max 和 --dry-run 只用于 --auto", "--max and --dry-run are for --auto only")
        )
    if auto:
        _pair_all(service, school, max_per_teacher, over_cap, yes=yes, dry_run=dry_run, now=now)
    else:
        assert student_no is not None
        _print_change(
            service.set_pairing(
                student_no,
                teacher_code,
                buddy_no=buddy_no,
                buddy_name=buddy_name,
                school_code=school,
                over_cap=over_cap,
                now=now,
            )
        )


def _interactive() -> bool:
    """Whether a person can answer the question: stdin is a terminal."""
    return sys.stdin.isatty()


def _pair_all(
    service: Guanai,
    school: str | None,
    max_per_teacher: int | None,
    over_cap: bool,
    *,
    yes: bool,
    dry_run: bool,
    now: datetime | None,
) -> None:
    """Preview, ask, write, and say what was written."""
    preview = service.preview_pairing(
        school_code=school, max_per_teacher=max_per_teacher, over_cap=over_cap
    )
    _print_loads(preview)
    _print_warnings(preview)
    if not preview.placements:
        if preview.unpaired:
            console.print(
                say(
                    "未写入：上限之内没有名额（见上）。",
                    "Nothing written: no room under the cap (see above).",
                )
            )
        else:
            console.print(
                say(
                    "所有在读学生都已结对，未写入。",
                    "Every enrolled child is paired; nothing written.",
                )
            )
        return
    if dry_run:
        console.print(
            say(
                "仅预览，未写入（去掉 --dry-run 即写入）。",
                "Preview only; nothing written (drop --dry-run to write).",
            )
        )
        return
    if not yes:
        if not _interactive():
            raise UserError(
                say(
                    "未写入：输入不是终端，无法确认。确认以上结对请加 --yes 重新运行，只看预览请用 --dry-run",
                    "nothing written: input is not a terminal, so there is nobody to confirm. "
                    "Run again with --yes to write these pairings, or --dry-run to only preview",
                )
            )
        question = say(
            f"写入以上 {preview.paired} 名学生的结对？",
            f"Write the pairings of these {preview.paired} children?",
        )
        if not click.confirm(question, default=False):
            console.print(say("未写入。", "Nothing written."))
            return
    report = service.pair_automatically(
        school_code=school,
        max_per_teacher=max_per_teacher,
        over_cap=over_cap,
        preview=preview,
        now=now,
    )
    _print_written(report)


def _print_loads(report: PairingReport) -> None:
    table = Table(
        title=say(
            f"自动结对预览：各教师结对人数（上限 {report.cap}）",
            f"Auto-pairing preview: children per teacher (cap {report.cap})",
        )
    )
    for header, right in (
        (Label("工号", "code"), False),
        (Label("教师", "teacher"), False),
        (Label("现有", "now"), True),
        (Label("新增", "adds"), True),
        (Label("结对后", "after"), True),
        (Label("上限", "cap"), True),
    ):
        table.add_column(str(header), justify="right" if right else "left")
    for load in report.loads:
        name = load.name + (say("（关爱办）", " (coordinator)") if load.is_coordinator else "")
        table.add_row(
            load.code,
            name,
            str(load.before),
            str(load.added),
            str(load.after),
            str(load.cap),
            style="yellow" if load.over_cap else None,
        )
    console.print(table)


SHOWN_NUMBERS = 10
"""At most this many student numbers are listed in one warning; the rest are counted."""


def _numbers(numbers: list[str]) -> str:
    shown = ", ".join(numbers[:SHOWN_NUMBERS])
    more = len(numbers) - SHOWN_NUMBERS
    return shown + (say(f" 等（另 {more} 名）", f" and {more} more") if more > 0 else "")


def _print_warnings(report: PairingReport) -> None:
    cap = report.cap
    if report.over_cap:
        names = ", ".join(f"{load.code} ({load.after})" for load in report.over_cap)
        count = len(report.over_cap)
        stderr.print(
            say(
                f"注意：{count} 位教师结对超过上限 {cap} 名：{names}",
                f"WARNING: {count} teachers have more children than the cap of {cap}: {names}",
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
        count = len(report.unpaired)
        stderr.print(
            say(
                f"注意：在每位教师 {cap} 名的上限内已没有名额，{count} 名学生不会结对："
                f"{_numbers(report.unpaired)}。可添加教师（guanai teacher add）、调大上限"
                "（--max 或配置文件 [pairing] max_children_per_teacher），或用 --over-cap 超出上限",
                f"WARNING: no teacher has room under the cap of {cap}; {count} children will "
                f"not be paired: {_numbers(report.unpaired)}. Add teachers (guanai teacher add), "
                "raise the cap (--max, or max_children_per_teacher in the config file's "
                "[pairing]), or go over it with --over-cap",
            ),
            style="yellow",
        )
    if report.without_buddy:
        count = len(report.without_buddy)
        stderr.print(
            say(
                f"注意：{count} 名学生班上没有可做学习帮手的同学：{_numbers(report.without_buddy)}",
                f"WARNING: {count} children have no classmate free to be their buddy: "
                f"{_numbers(report.without_buddy)}",
            ),
            style="yellow",
        )


def _print_written(report: PairingReport) -> None:
    handed, moved = report.handover.reassigned, report.handover.moved
    console.print(
        say(
            f"已为 {report.paired} 名学生结对；{handed} 项未完成的帮扶教师任务（谈心、家访等）"
            f"转给新的帮扶教师，其中 {moved} 项改到该教师当天未满的日子。",
            f"Paired {report.paired} children; {handed} open pairing-teacher tasks (talks, "
            f"visits) handed to their new pairing teachers, {moved} of them moved to a day on "
            "which the teacher has room.",
        )
    )
    if report.planned_terms:
        console.print(
            say(
                "已规划学期的任务已随结对转交，新教师的每日提醒和日历订阅即显示；"
                "以后运行 guanai plan 规划的学期也按当前结对安排。",
                "The planned terms' tasks follow the pairings already: the new teachers' "
                "digests and calendar feeds show them; a term planned later with guanai plan "
                "follows the current pairings too.",
            )
        )
    else:
        console.print(
            say(
                "本校还没有规划学期：运行 guanai plan，按新的结对安排谈心和家访。",
                "No term is planned for this school yet: run guanai plan to schedule the new "
                "pairs' talks and visits.",
            )
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
        buddy = row.buddy_name or ""
        if row.buddy_no is not None:
            buddy = f"{buddy} ({row.buddy_no})"
        elif buddy:
            buddy = f"{buddy} ({say('不在名单上', 'not on the roster')})"
        teacher = f"{row.teacher_name} ({row.teacher_code})"
        table.add_row(row.student_no, row.name, row.class_name, teacher, buddy, str(row.started_on))
    console.print(table)


COMMANDS: tuple[click.Command, ...] = (pair, pairings)
