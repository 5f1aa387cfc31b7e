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
from guanai.core.i18n import Label
from guanai.service import Guanai

if TYPE_CHECKING:
    from datetime import datetime

    from guanai.core.roster.importer import ImportReport

SHOWN_PROBLEMS = 50


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
@NOW_OPTION
@pass_service
def import_command(
    service: Guanai,
    file: Path,
    school_code: str | None,
    valid_only: bool,
    rejects_path: Path | None,
    now: datetime | None,
) -> None:
    """导入留守儿童名册（.xlsx 或 .csv）/ Import the roster of left-behind children.

    All or nothing: if any row has a problem, nothing is written and every problem is listed
    (row, column, what is wrong), unless --valid-only is given. Importing an updated roster
    again updates each child in place, matched by student number.
    """
    from guanai.core.roster.importer import RosterRejected

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
            )
    except RosterRejected as rejected:
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
    if report.problems:
        print_problems(report)
        if rejects_path is not None:
            _say_rejects(rejects_path)
    print_summary(report)


def print_problems(report: ImportReport) -> None:
    """The first problems as a table (row, column, problem), and how many more there are."""
    table = Table(
        title=say(f"{report.file}：问题", f"{report.file}: problems"), title_justify="left"
    )
    table.add_column(say("行", "row"), justify="right", no_wrap=True)
    table.add_column(say("列", "column"))
    table.add_column(say("问题", "problem"))
    for problem in report.problems[:SHOWN_PROBLEMS]:
        table.add_row(str(problem.row), problem.column, str(problem.reason))
    console.print(table)
    more = len(report.problems) - SHOWN_PROBLEMS
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
            f"已生成模板 {file}：在“留守儿童”表中每行填写一名儿童，“说明”表列出每一列的要求。",
            f"Template written to {file}: one child per row on the 留守儿童 sheet; the 说明 "
            "(Guide) sheet explains each column.",
        )
    )


COMMANDS = (import_command, template)
