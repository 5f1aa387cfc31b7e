"""A real school's first day (issue 13), as its office goes about it, through the installed
``guanai`` script: an empty database, the workbook the office keeps (a title row, 序号, 父亲 and
母亲 merged over two header rows, 三年级(2)班 and its other spellings, digits typed full-width,
pre-numbered blank rows at the end), and the copies other offices send of it (a GB18030 CSV, a
password-protected workbook, an old .xls). Set up, import, pair, plan in December, record a
talk with the card's Chinese labels, write the bureau's ledger under the school's own name.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from roster_samples import id_number, write_table
from sqlalchemy import create_engine, func, select

from guanai.core.models import Activity, OutboxMessage, School, Task
from guanai.core.text import half_width
from guanai.core.workbook import encrypt

GUANAI = Path(sys.executable).parent / "guanai"
SCHOOL_CODE, SCHOOL_NAME = "HN0417", "某某县青山镇中心小学"
TITLE = f"{SCHOOL_NAME}2026年秋季学期留守儿童花名册"
TEACHERS = [
    ("T01", "王芳", "13700137001", "语文", "否"),
    ("T02", "李强", "13700137002", "数学", "否"),
    ("T03", "赵敏", "13700137003", "英语", "否"),
    ("T04", "陈刚", "13700137004", "科学", "否"),
    ("T05", "刘洋", "0731-84561234", "体育", "是"),
]
CLASSES = [("一年级1班", "T01"), ("二年级1班", "T02"), ("三年级2班", "T03"), ("四年级1班", "T04")]
# How the office spells each class in its roster: never as the 班级 sheet does.
SPELLINGS = ("一年级（1）班", "二(1)班", "三年级(2)班", "４年级１班")
CHILDREN = 40
PASSWORD = "青山2026"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SINGLE = ["序号", "学号", "姓名", "性别", "出生日期", "身份证号", "班级", "留守类型"]
PARENTS = ["父亲", "母亲"]  # each merged over 姓名 and 电话
GUARDIAN = ["监护人姓名", "监护人关系", "监护人电话"]
FLAT_HEADERS = [*SINGLE, "父亲姓名", "父亲电话", "母亲姓名", "母亲电话", *GUARDIAN]
"""The same columns in one header row, as a CSV or an older workbook has them."""


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUANAI_", "XDG_"))}
    env.update(
        XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"), COLUMNS="160"
    )
    return subprocess.run(
        [str(GUANAI), "--db", f"sqlite:///{home / 'school.db'}", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ok(home: Path, *args: str) -> str:
    result = run(home, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def roster_row(n: int) -> list[Any]:
    """Child ``n`` as the office typed it: every third one's numbers through a Chinese input
    method (full-width), the classes in the office's own spellings."""
    born = date(2017, 3, 1) + timedelta(days=23 * n)
    typed = (lambda s: s.translate(FULL_WIDTH)) if n % 3 == 0 else (lambda s: s)
    return [
        n,
        typed(f"2026{n:04d}"),
        "王李张刘陈杨黄赵吴周"[n % 10] + ("小明", "梓涵", "子轩", "欣怡")[n % 4],
        "男" if n % 2 else "女",
        born.isoformat(),
        id_number(born, n),
        SPELLINGS[n % 4],
        "父母均外出",
        "张建国",
        typed(f"138{n:08d}"),
        "李秀英",
        f"139{n:08d}",
        "张大山",
        "祖父",
        typed(f"137{n:08d}"),
    ]


def roster_table(rows: list[list[Any]], blank_rows: int = 5) -> list[list[Any]]:
    """The 留守儿童 sheet as cells: the title, two header rows, the children, then rows the
    office numbered in advance and left empty."""
    top = [*SINGLE, "父亲", None, "母亲", None, *GUARDIAN]
    below = [None] * len(SINGLE) + ["姓名", "电话", "姓名", "电话"] + [None] * len(GUARDIAN)
    last = len(rows)
    blanks = [[last + k] + [None] * (len(top) - 1) for k in range(1, blank_rows + 1)]
    return [[TITLE], top, below, *rows, *blanks]


def office_workbook(path: Path, rows: list[list[Any]], *, with_setup: bool = True) -> Path:
    book = Workbook()
    book.remove(book.active)
    if with_setup:
        book.create_sheet("学校").append(["学校代码", "学校名称"])
        book["学校"].append([SCHOOL_CODE, SCHOOL_NAME])
        teachers = book.create_sheet("教师")
        teachers.append(["工号", "姓名", "电话", "电子邮箱", "任教学科", "是否关爱办/协调员"])
        for code, name, phone, subject, coordinator in TEACHERS:
            teachers.append([code, name, phone, None, subject, coordinator])
        classes = book.create_sheet("班级")
        classes.append(["班级名称", "年级", "班主任工号"])
        for name, head in CLASSES:
            classes.append([name, None, head])
    sheet = book.create_sheet("留守儿童")
    for values in roster_table(rows):
        sheet.append(values)
    width = len(roster_table(rows)[1])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for column in range(1, len(SINGLE) + 1):  # 序号 … 留守类型 span both header rows
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    for offset in (0, 2):  # 父亲 / 母亲 over 姓名 and 电话
        first = len(SINGLE) + 1 + offset
        sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=first + 1)
    for column in range(len(SINGLE) + 5, width + 1):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    book.save(path)
    return path


def gb18030_csv(path: Path, rows: list[list[Any]]) -> Path:
    """The roster as WPS saves a sheet as CSV for a Chinese Windows: GB18030, one header row
    (with 序号 kept), full-width digits as typed."""
    with path.open("w", encoding="gb18030", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(FLAT_HEADERS)
        writer.writerows(rows)
    return path


def summary_count(output: str, item: str) -> int:
    match = re.search(rf"│ {item}\s*│\s*(\d+)", output)
    assert match, output
    return int(match.group(1))


def problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("第 ")]


@pytest.mark.slow
def test_a_real_school_starts_mid_term_from_its_own_sheets(tmp_path: Path) -> None:
    ok(tmp_path, "init")
    rows = [roster_row(n) for n in range(1, CHILDREN + 1)]

    # The office's first try has four real mistakes; each is reported once, nothing is written.
    wrong = [list(row) for row in rows]
    wrong[4][6] = "七年级1班"  # no such class
    wrong[9][5] = wrong[9][5][:-1] + ("0" if wrong[9][5][-1] != "0" else "1")  # check digit
    wrong[14][14] = None  # the guardian's phone left out
    wrong[19][1] = rows[20][1]  # a student no. typed twice
    first = run(tmp_path, "import", str(office_workbook(tmp_path / "名册-初稿.xlsx", wrong)))
    assert first.returncode == 1
    lines = problem_lines(first.stdout)
    assert len(lines) == 4, first.stdout
    for needle in ("七年级1班", "校验位", "监护人电话", "重复"):
        assert sum(needle in line for line in lines) == 1, (needle, first.stdout)
    assert "三年级(2)班" not in first.stdout and "序号" not in "".join(lines)
    assert run(tmp_path, "school", "show").returncode == 1, "nothing is written"

    # The corrected workbook sets the school up whole and imports every child.
    workbook = office_workbook(tmp_path / "名册.xlsx", rows)
    done = run(tmp_path, "import", str(workbook), "--now", "2026-12-01T09:00")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "「序号」" in done.stderr, "the ignored column is named in a warning"
    assert summary_count(done.stdout, "新建") == CHILDREN
    shown = ok(tmp_path, "school", "show")
    assert SCHOOL_NAME in shown and "三年级2班" in shown and "刘洋" in shown
    typed = half_width(rows[2][1])  # child 3's number was typed full-width in the file
    assert typed == "20260003"
    assert "20260003" in ok(tmp_path, "child", "show", "２０２６０００３")

    # The copies other offices send import as the same roster: nothing changes.
    gb = gb18030_csv(tmp_path / "名册.csv", rows)
    encrypted = tmp_path / "名册-加密.xlsx"
    encrypt(office_workbook(tmp_path / "名册-明文.xlsx", rows), encrypted, PASSWORD)
    (tmp_path / "密码.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    xls = write_table(tmp_path / "名册.xls", [[TITLE], FLAT_HEADERS, *rows])
    for copy, extra in (
        (gb, ()),
        (encrypted, ("--password-file", str(tmp_path / "密码.txt"))),
        (xls, ()),
    ):
        again = ok(tmp_path, "import", str(copy), *extra, "--now", "2026-12-01T10:00")
        assert summary_count(again, "未变") == CHILDREN, (copy.name, again)
    wrong_password = run(tmp_path, "import", str(encrypted), "--password", "猜的")
    assert wrong_password.returncode == 1 and "猜的" not in wrong_password.stderr

    # Pair everyone, with the preview, then plan in December: nothing from before the plan.
    paired = ok(tmp_path, "pair", "--auto", "--yes")
    assert str(CHILDREN) in paired
    planned = ok(tmp_path, "plan", "--now", "2026-12-02T08:00")
    assert "已略过" in planned
    ok(tmp_path, "tick", "--now", "2026-12-02T08:30")
    engine = create_engine(f"sqlite:///{tmp_path / 'school.db'}")
    with engine.connect() as db:
        live = select(func.count()).select_from(Task).where(Task.state != "cancelled")
        assert db.scalar(live.where(Task.due_on < date(2026, 12, 2))) == 0
        assert db.scalar(live.where(Task.state.in_(("overdue", "escalated")))) == 0
        escalations = select(func.count()).select_from(OutboxMessage)
        assert db.scalar(escalations.where(OutboxMessage.kind == "escalation")) == 0
        talk = db.scalar(
            select(Task.id)
            .join(Activity, Activity.id == Task.activity_id)
            .where(Activity.type == "talk", Task.step == "pairing_teacher_talk")
            .order_by(Task.id)
            .limit(1)
        )
        assert db.scalar(select(School.name)) == SCHOOL_NAME

    # Record the talk as the card is headed, with the roster's date forms.
    shown = ok(tmp_path, "task", "show", str(talk))
    assert "谈心日期" in shown and "帮扶教师谈心" in shown
    ok(
        tmp_path,
        "complete",
        str(talk),
        "谈心日期=2026/12/2",
        "谈心地点=教室",
        "谈心主题=学习与生活",
        "谈心记录=想念在外打工的父母，学习进步了",
        "--now",
        "2026-12-02T16:00",
    )
    assert "2026-12-02" in ok(tmp_path, "task", "show", str(talk))

    # The bureau's ledger carries the school's own name, never the demo's.
    ok(tmp_path, "ledger", str(tmp_path / "台账.xlsx"))
    cells = {
        str(cell)
        for sheet in load_workbook(tmp_path / "台账.xlsx", read_only=True)
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    }
    assert any(SCHOOL_NAME in cell for cell in cells)
    assert not any("关爱示范小学" in cell for cell in cells)
