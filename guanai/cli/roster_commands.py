"""``guanai import`` and ``guanai template``: the roster in, and the blank roster to fill in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from guanai.cli.context import (
    NOW_OPTION,
    UserError,
    console,
    pass_service,
    progress,
    say,
    stderr,
)
from guanai.cli.export_commands import read_password
from guanai.core.i18n import Label
from guanai.service import Guanai

if TYPE_CHECKING:
    from datetime import datetime

    from guanai.core.roster.importer import ImportReport

SHOWN_PROBLEMS = 50  # lines of problems, each one problem with every row that has it


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--school", "school_code", metavar="CODE", help="学校代码 / school code")
@click.option(
    "--valid-only",
    is_flag=True,
    help="只导入无误的行，有误的行写入 --rejects 文件 / import only the rows without problems",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="把有误的行写入此文件，改正后可再次导入 / write the rows with problems here, to fix "
    "and import again (default with --valid-only: FILE-rejects.xlsx or .csv)",
)
@click.option(
    "--password",
    metavar="PW",
    help="加密工作簿的密码（如 guanai export --password 所写）/ the password of an encrypted "
    "workbook (as guanai export --password writes)",
)
@click.option(
    "--password-file",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="从文件首行读取密码（- 为标准输入），供脚本使用 / read the password from a file's first "
    "line (- for standard input), for scripts",
)
@NOW_OPTION
@pass_service
def import_command(
    service: Guanai,
    file: Path,
    school_code: str | None,
    valid_only: bool,
    rejects_path: Path | None,
    password: str | None,
    password_file: Path | None,
    now: datetime | None,
) -> None:
    """导入留守儿童名册（.xlsx、.xls、.ods 或 .csv）/ Import the roster of left-behind children.

    All or nothing: if any row has a problem, nothing is written and every problem is listed
    once, with the rows that have it, unless --valid-only is given. Importing an updated
    roster again updates each child in place, matched by student number. Columns guanai does
    not know (序号) are ignored, with a warning.
    """
    from guanai.core.roster.importer import RosterRejected

    password = read_password(password, password_file)
    if valid_only and rejects_path is None:
        rejects_path = file.with_name(f"{file.stem}-rejects{file.suffix}")
    try:
        with progress(Label("导入名册", "importing")) as bar:
            tasks: dict[str, int] = {}

            def advance(phase: Label, done: int, total: int | None) -> None:
                if phase.en not in tasks:
                    tasks[phase.en] = bar.add_task(str(phase), total=total)
                bar.update(tasks[phase.en], completed=done, total=total)

            report = service.import_roster(
                file,
                school_code=school_code,
                valid_only=valid_only,
                rejects=rejects_path,
                now=now,
                progress=advance,
                password=password,
            )
    except RosterRejected as rejected:
        print_warnings(rejected.report)
        print_problems(rejected.report)
        stderr.print(str(rejected), style="bold red", markup=False)
        if rejects_path is not None:
            _say_rejects(rejects_path)
        stderr.print(
            say(
                "改正后重新导入，或用 --valid-only 只导入无误的行。",
                "Fix them and import again, or use --valid-only to import only the valid rows.",
            ),
            markup=False,
        )
        raise click.exceptions.Exit(1) from None
    print_warnings(report)
    if report.problems:
        print_problems(report)
        if rejects_path is not None:
            _say_rejects(rejects_path)
    print_summary(report)
    if report.created:
        console.print(
            say(
                f"已新建 {report.created} 名儿童的档案：运行 guanai plan 为他们安排本学期的任务"
                "（从入册之日起；此前已截止的不补）。",
                f"{report.created} new children's records: run guanai plan to give them this"
                " term's duties (from their first day on the roster; nothing already closed).",
            ),
            markup=False,
        )


def print_warnings(report: ImportReport) -> None:
    """What the import passed over (columns it does not know), one line each."""
    for warning in report.warnings:
        stderr.print(str(warning), style="yellow", markup=False)


def print_problems(report: ImportReport) -> None:
    """The first problems, one line for each with the rows that have it
    (``第 3–802 行（800 行），「班级」：…``), and how many more there are."""
    groups = report.problem_groups
    console.print(say(f"{report.file}：问题", f"{report.file}: problems"), markup=False)
    for group in groups[:SHOWN_PROBLEMS]:
        console.print(str(group.message), markup=False)
    more = len(groups) - SHOWN_PROBLEMS
    if more > 0:
        console.print(say(f"……另有 {more} 个问题未列出。", f"... and {more} more problems."))


def print_summary(report: ImportReport) -> None:
    table = Table(title=say(f"{report.file}：导入结果", f"{report.file}: import"))
    table.add_column(say("项目", "item"))
    table.add_column(say("数量", "count"), justify="right")
    setup = report.setup
    for sheet in setup.sheets if setup is not None else ():
        table.add_row(say(f"{sheet}：新建", f"{sheet}: created"), str(setup.created[sheet]))
        table.add_row(say(f"{sheet}：更新", f"{sheet}: updated"), str(setup.updated[sheet]))
    if setup is not None and not setup.has_roster:
        console.print(table)
        return
    for label, count in (
        (Label("行数", "rows"), report.rows),
        (Label("新建", "created"), report.created),
        (Label("更新", "updated"), report.updated),
        (Label("未变", "unchanged"), report.unchanged),
        (Label("未导入（有误）", "rejected"), report.rejected),
        (Label("改动字段", "fields changed"), report.changes),
    ):
        table.add_row(str(label), str(count))
    console.print(table)


def _say_rejects(path: Path) -> None:
    stderr.print(
        say(
            f"有误的行已写入 {path}（末列为问题），改正后可直接再次导入。",
            f"The rows with problems are in {path} (problems in the last column); fix them "
            "there and import that file.",
        ),
        markup=False,
    )


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="覆盖已有文件 / overwrite an existing file")
@pass_service
def template(service: Guanai, file: Path, force: bool) -> None:
    """生成空白名册模板（.xlsx）/ Write a blank roster to fill in (.xlsx)."""
    from guanai.core.roster.template import write_template

    service.identify()
    if file.suffix.lower() != ".xlsx":
        raise UserError(say("模板文件名应以 .xlsx 结尾", "the template's name must end in .xlsx"))
    if file.exists() and not force:
        raise UserError(
            say(f"{file} 已存在：用 --force 覆盖", f"{file} exists: use --force to overwrite it")
        )
    write_template(file)
    console.print(
        say(
            f"已生成模板 {file}：新学校先填写“学校”“教师”“班级”表，再在“留守儿童”表中每行填写一名"
            f"儿童；“说明”表列出每一列的要求。填好后运行 guanai import {file}。",
            f"Template written to {file}: a new school fills in the 学校 (school), 教师 (teachers)"
            " and 班级 (classes) sheets, then one child per row on the 留守儿童 sheet; the 说明 "
            f"(Guide) sheet explains each column. Then run guanai import {file}.",
        )
    )


COMMANDS = (import_command, template)
