"""Set-up workbooks for tests: a school's 学校, 教师 and 班级 sheets (and its roster), as an
office fills in the template, made with openpyxl. The people are invented."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from roster_samples import child

from guanai.core.roster.columns import CHILD_COLUMNS

SCHOOL = [["学校代码", "学校名称"], ["HN01", "某某镇中心小学"]]
TEACHERS = [
    ["工号", "姓名", "电话", "电子邮箱", "任教学科", "是否关爱办/协调员"],
    ["T001", "王芳", "13700137000", "wangfang@example.edu.cn", "语文、数学", "否"],
    ["T002", "李强", "0731-84561234", None, "英语", "是"],
    ["T003", "赵敏", None, None, None, None],
]
CLASSES = [
    ["班级名称", "年级", "班主任工号"],
    ["一年级1班", None, "T001"],
    ["一年级2班", 1, "T002"],
    ["三年级1班", None, "T003"],
]


def setup_workbook(
    path: Path,
    *,
    school: Sequence[Sequence[Any]] | None = SCHOOL,
    teachers: Sequence[Sequence[Any]] | None = TEACHERS,
    classes: Sequence[Sequence[Any]] | None = CLASSES,
    children: Iterable[int] = (1, 2, 3),
) -> Path:
    """A workbook with the set-up sheets given (None: left out) and a 留守儿童 sheet of the
    children numbered ``children`` (none: left out), whose classes are those of CLASSES."""
    workbook = Workbook()
    first = workbook.active
    workbook.remove(first)
    for name, rows in (("学校", school), ("教师", teachers), ("班级", classes)):
        if rows is not None:
            sheet = workbook.create_sheet(name)
            for row in rows:
                sheet.append(list(row))
    numbers = list(children)
    if numbers:
        sheet = workbook.create_sheet("留守儿童")
        sheet.append([c.header.zh for c in CHILD_COLUMNS])
        for n in numbers:
            row = child(n)
            sheet.append([row.get(c.key) for c in CHILD_COLUMNS])
    workbook.save(path)
    return path
