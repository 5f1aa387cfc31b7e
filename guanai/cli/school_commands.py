"""``guanai school``, ``guanai class`` and ``guanai teacher``: setting up one's own school.

A real school starts here (or from the set-up sheets of ``guanai template``): its code and
name, its teachers, its classes with their head teachers. See docs/school_setup.md.
"""

from __future__ import annotations

from collections.abc import Iterable

import click
from rich.table import Table

from guanai.cli.context import console, pass_service, say
from guanai.core.school_overview import ClassRow, TeacherRow
from guanai.core.school_setup import Written
from guanai.service import Guanai
from guanai.service.setup_actions import UNCHANGED

SCHOOL_OPTION = click.option(
    "--school",
    "school_code",
    metavar="CODE",
    help="学校代码，默认本校或唯一的学校 / school code; default: your own or the only school",
)


def _done(written: Written, zh: str, en: str) -> None:
    """One line: what was created or changed, or that nothing needed to change."""
    if written.created:
        console.print(say(f"已建立{zh}", f"{en} created"))
    elif written.changed:
        console.print(say(f"已更新{zh}", f"{en} updated"))
    else:
        console.print(say(f"{zh}无需更改", f"{en} unchanged"))


@click.group()
def school() -> None:
    """本校：建立、改名、查看 / Your school: create, rename, show."""


@school.command("create")
@click.argument("code")
@click.argument("name")
@pass_service
def create_school(service: Guanai, code: str, name: str) -> None:
    """建立学校 / Create a school (CODE: e.g. the bureau's number for it)."""
    _done(service.create_school(code, name), f"学校 {code}（{name}）", f"school {code} ({name})")
    console.print(
        say(
            "接下来：guanai teacher add 添加教师，guanai class add 添加班级，或导入含“学校”"
            "“班级”“教师”表的名册（guanai template 生成）。",
            "Next: guanai teacher add and guanai class add, or import a workbook with the 学校, "
            "班级 and 教师 sheets (guanai template writes one).",
        )
    )


@school.command("rename")
@click.argument("new_name")
@SCHOOL_OPTION
@pass_service
def rename_school(service: Guanai, new_name: str, school_code: str | None) -> None:
    """学校改名 / Rename the school."""
    written = service.rename_school(new_name, school_code=school_code)
    _done(written, f"校名：{new_name}", f"school name: {new_name}")


@school.command("show")
@SCHOOL_OPTION
@pass_service
def show_school(service: Guanai, school_code: str | None) -> None:
    """查看学校：班级与教师 / Show the school: its classes and teachers."""
    overview = service.school_overview(school_code)
    console.print(f"{overview.name}（{overview.code}）")
    _print_classes(overview.classes)
    _print_teachers(overview.teachers)


def _print_classes(rows: Iterable[ClassRow]) -> None:
    table = Table(title=say("班级", "Classes"), title_justify="left")
    for header in (say("班级", "class"), say("年级", "grade"), say("班主任", "head teacher")):
        table.add_column(header)
    table.add_column(say("儿童", "children"), justify="right")
    for row in rows:
        head = f"{row.head_name}（{row.head_code}）" if row.head_code else "—"
        table.add_row(row.name, str(row.grade), head, str(row.children))
    console.print(table)


def _print_teachers(rows: Iterable[TeacherRow]) -> None:
    table = Table(title=say("教师", "Teachers"), title_justify="left")
    for header in (
        say("工号", "code"),
        say("姓名", "name"),
        say("电话", "phone"),
        say("电子邮箱", "e-mail"),
        say("任教学科", "subjects"),
        say("关爱办", "coordinator"),
    ):
        table.add_column(header)
    for row in rows:
        table.add_row(
            row.code,
            row.name,
            row.phone or "",
            row.email or "",
            "、".join(row.subjects),
            say("是", "yes") if row.is_coordinator else "",
        )
    console.print(table)


@click.group("class")
def class_group() -> None:
    """班级：添加、列出、设班主任 / Classes: add, list, set the head teacher."""


@class_group.command("add")
@click.argument("name")
@click.option("--grade", type=int, help="年级，默认按班级名称 / grade; default: from the name")
@click.option("--head", "head_code", metavar="TEACHER_CODE", help="班主任工号 / head teacher")
@SCHOOL_OPTION
@pass_service
def add_class(
    service: Guanai, name: str, grade: int | None, head_code: str | None, school_code: str | None
) -> None:
    """添加班级 / Add a class."""
    written = service.add_class(name, grade=grade, head_code=head_code, school_code=school_code)
    _done(written, f"班级 {name}", f"class {name}")


@class_group.command("list")
@SCHOOL_OPTION
@pass_service
def list_classes(service: Guanai, school_code: str | None) -> None:
    """列出班级 / List the classes."""
    _print_classes(service.school_overview(school_code).classes)


@class_group.command("head")
@click.argument("name")
@click.argument("teacher_code", required=False)
@SCHOOL_OPTION
@pass_service
def set_head(service: Guanai, name: str, teacher_code: str | None, school_code: str | None) -> None:
    """设班主任（不填工号则取消）/ Set the class's head teacher (none without a code)."""
    written = service.set_head_teacher(name, teacher_code, school_code=school_code)
    _done(written, f"班级 {name} 的班主任", f"head teacher of {name}")


@click.group()
def teacher() -> None:
    """教师：添加、列出、修改 / Teachers: add, list, change."""


_SUBJECTS = click.option("--subjects", help="任教学科，用、分隔 / subjects, e.g. 语文、数学")


@teacher.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--phone", help="电话 / phone")
@click.option("--email", help="电子邮箱 / e-mail")
@_SUBJECTS
@click.option("--coordinator", is_flag=True, help="关爱办/协调员 / a coordinator of the programme")
@click.option("--counsellor", is_flag=True, help="心理辅导教师 / the school's counsellor")
@SCHOOL_OPTION
@pass_service
def add_teacher(
    service: Guanai,
    code: str,
    name: str,
    phone: str | None,
    email: str | None,
    subjects: str | None,
    coordinator: bool,
    counsellor: bool,
    school_code: str | None,
) -> None:
    """添加教师 / Add a teacher."""
    written = service.add_teacher(
        code,
        name,
        phone=phone,
        email=email,
        subjects=subjects,
        is_coordinator=coordinator,
        is_counsellor=counsellor,
        school_code=school_code,
    )
    _done(written, f"教师 {code}（{name}）", f"teacher {code} ({name})")


@teacher.command("set")
@click.argument("code")
@click.option("--name", help="姓名 / name")
@click.option("--phone", help="电话（空文本清除）/ phone ('' clears it)")
@click.option("--email", help="电子邮箱（空文本清除）/ e-mail ('' clears it)")
@_SUBJECTS
@click.option(
    "--coordinator/--not-coordinator",
    default=None,
    help="是否关爱办/协调员 / a coordinator or not",
)
@click.option(
    "--counsellor/--not-counsellor",
    default=None,
    help="是否心理辅导教师 / the school's counsellor or not",
)
@SCHOOL_OPTION
@pass_service
def set_teacher(
    service: Guanai,
    code: str,
    name: str | None,
    phone: str | None,
    email: str | None,
    subjects: str | None,
    coordinator: bool | None,
    counsellor: bool | None,
    school_code: str | None,
) -> None:
    """修改教师信息（只改给出的项）/ Change a teacher's details (only those given)."""
    given = {
        "name": name,
        "phone": phone,
        "email": email,
        "subjects": subjects,
        "is_coordinator": coordinator,
        "is_counsellor": counsellor,
    }
    written = service.change_teacher(
        code,
        **{key: UNCHANGED if value is None else value for key, value in given.items()},
        school_code=school_code,
    )
    _done(written, f"教师 {code}", f"teacher {code}")


@teacher.command("list")
@SCHOOL_OPTION
@pass_service
def list_teachers(service: Guanai, school_code: str | None) -> None:
    """列出教师 / List the teachers."""
    _print_teachers(service.school_overview(school_code).teachers)


COMMANDS = (school, class_group, teacher)
