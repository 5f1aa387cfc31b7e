"""``export`` and ``ledger``: the roster and the bureau's ledgers (台账) as .xlsx files.

Safe by default: a roster export leaves contact details out, a ledger masks them. Contact
details in clear need a password (the file is then encrypted, and Excel or WPS asks for it);
``export --with-contacts`` alone writes them unprotected, with a warning. Each file written is
kept in the audit trail (who, when, which schools, with or without contact details).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from guanai.cli.context import UserError, console, counting, pass_service, progress, say, stderr
from guanai.core.i18n import Label
from guanai.service import Guanai


def password_options(command: click.Command) -> click.Command:
    """``--password`` and ``--password-file`` (the file keeps it out of the shell history)."""
    command = click.option(
        "--password-file",
        type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
        help="从文件首行读取密码（- 为标准输入）/ read the password from a file's first line "
        "(- for standard input)",
    )(command)
    return click.option(
        "--password",
        metavar="PW",
        help="用密码加密文件（Excel/WPS 打开时须输入）/ encrypt the file with this password",
    )(command)


def read_password(password: str | None, password_file: Path | None) -> str | None:
    """The password given by one of the two options, or None; never echoed."""
    if password is not None and password_file is not None:
        raise UserError(
            say(
                "--password 与 --password-file 只能选一个",
                "give --password or --password-file, not both",
            )
        )
    if password_file is not None:
        try:
            text = (
                sys.stdin.read()
                if str(password_file) == "-"
                else password_file.read_text(encoding="utf-8")
            )
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(
                say(
                    f"无法读取密码文件 {password_file}：{type(error).__name__}",
                    f"cannot read the password file {password_file}: {type(error).__name__}",
                )
            ) from None
        password = text.splitlines()[0] if text.strip() else ""
    return password


@click.command("export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--school", "school_code", metavar="CODE", help="学校代码 / school code")
@password_options
@click.option(
    "--with-contacts",
    is_flag=True,
    help="不加密也导出联系方式（身份证号、电话、住址）/ include contact details even without a "
    "password (an unprotected file)",
)
@pass_service
def export(
    service: Guanai,
    file: Path,
    school_code: str | None,
    password: str | None,
    password_file: Path | None,
    with_contacts: bool,
) -> None:
    """导出留守儿童名册（.xlsx，可重新导入）/ Export the roster as .xlsx (re-importable).

    Contact details are left out unless the file is encrypted (--password or --password-file)
    or --with-contacts accepts an unprotected file. Coordinators only.
    """
    secret = read_password(password, password_file)
    with progress(Label("导出名册", "exporting the roster")) as bar:
        summary = service.export_roster(
            file,
            school_code=school_code,
            with_contacts=with_contacts,
            password=secret,
            started=counting(bar),
        )
    console.print(
        say(
            f"已导出 {summary.rows} 名儿童到 {file}。",
            f"Exported {summary.rows} children to {file}.",
        ),
        markup=False,
    )
    if not summary.contacts:
        console.print(
            say(
                "未含联系方式（身份证号、电话、住址等）；如需包含，请用 --password 加密导出。",
                "Contact details (ID numbers, phones, addresses) are left out; to include them, "
                "export encrypted with --password.",
            )
        )
    elif summary.protected:
        console.print(
            say(
                "含联系方式，文件已用密码加密。", "Contact details included; the file is encrypted."
            )
        )
    else:
        stderr.print(
            say(
                "警告：文件含联系方式且未加密，请妥善保管，用完即删。",
                "WARNING: the file holds contact details unencrypted: keep it safe and delete it "
                "when done.",
            ),
            style="bold yellow",
        )
    if summary.contacts and summary.masked_rows:
        console.print(
            say(
                f"其中 {summary.masked_rows} 行的联系方式已遮蔽（无权查看）。",
                f"{summary.masked_rows} rows have their contact details masked (not yours to see).",
            )
        )


@click.command("ledger")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--term", "term_key", metavar="KEY", help="学期（默认最近的学期）/ term key")
@click.option(
    "--school",
    "school_code",
    metavar="CODE",
    help="学校代码（默认：可查看的全部学校）/ school code (default: every school you may see)",
)
@password_options
@pass_service
def ledger(
    service: Guanai,
    file: Path,
    term_key: str | None,
    school_code: str | None,
    password: str | None,
    password_file: Path | None,
) -> None:
    """写出上报教育局的台账（.xlsx）/ Write the bureau's ledgers (台账) as one .xlsx workbook.

    Sheets: roster with contact cards, pairings, talk records, the record sheets of letters,
    calls, meetings and home visits, activities, summary. Contact details are masked unless the file is encrypted with a password; a bureau viewer always
    sees names and contact details masked. Coordinators and bureau viewers.
    """
    secret = read_password(password, password_file)
    with progress(Label("写台账", "writing the ledgers")) as bar:
        summary = service.ledger(
            file,
            term_key=term_key,
            school_code=school_code,
            password=secret,
            started=counting(bar),
        )
    viewer = service.viewer()
    term = summary.term_key or say("（尚未计划学期）", "(no term planned)")
    console.print(say(f"已写入台账 {file}。", f"Ledgers written to {file}."), markup=False)
    table = Table(
        title=say(
            f"学期 {term}，{summary.schools} 所学校", f"term {term}, {summary.schools} schools"
        )
    )
    table.add_column(say("工作表", "sheet"))
    table.add_column(say("行数", "rows"), justify="right")
    for title, rows in summary.sheets.items():
        table.add_row(title, str(rows))
    table.add_row(
        "汇总", say(f"重点帮扶对象 {summary.key_targets}", f"{summary.key_targets} key targets")
    )
    console.print(table)
    if viewer.is_bureau:
        console.print(
            say(
                "儿童及家长的姓名和联系方式均已遮蔽（教育局视图）。",
                "Names and contact details are masked (bureau view).",
            )
        )
    elif summary.protected:
        console.print(
            say(
                "文件已用密码加密；你有权查看的联系方式未遮蔽。",
                "The file is encrypted; contact details you may see are in clear.",
            )
        )
    else:
        console.print(
            say(
                "联系方式已遮蔽；如需完整联系方式，请用 --password 加密写出。",
                "Contact details are masked; for them in clear, write the file with --password.",
            )
        )


COMMANDS: tuple[click.Command, ...] = (export, ledger)
