"""README's "Start your own school" is true: its four commands, run in order by the installed
``guanai`` against a fresh default database, set a school up and plan its term.

Each line of the section's ```sh block runs as written (its comment dropped), with two
additions a reader does by hand or by the clock: after ``guanai template`` the test fills the
blank workbook in as an office would (by the headers the template wrote, so a renamed column
fails here), and ``guanai import`` and ``guanai plan`` run at a fixed time (``--now``) so that
the test means the same on any day.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from roster_samples import child

from guanai.core.roster.columns import CHILD_COLUMNS

README = Path(__file__).parents[2] / "README.md"
GUANAI = Path(sys.executable).parent / "guanai"
NOW = "2026-12-02T08:00"
SHEETS = {
    "学校": [{"学校代码": "HN0417", "学校名称": "某某县青山镇中心小学"}],
    "教师": [
        {"工号": "T001", "姓名": "王芳", "电话": "13700137001", "任教学科": "语文"},
        {"工号": "T002", "姓名": "李强", "是否关爱办/协调员": "是"},
        {"工号": "T003", "姓名": "赵敏"},
    ],
    "班级": [
        {"班级名称": "一年级1班", "班主任工号": "T001"},
        {"班级名称": "一年级2班", "班主任工号": "T002"},
        {"班级名称": "三年级1班", "班主任工号": "T003"},
    ],
}


def section_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Start your own school", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def fill_in(path: Path) -> None:
    """The blank template, filled in by its own headers: the school, three teachers, three
    classes, and six children paired with the teachers."""
    book = load_workbook(path)
    rows = dict(SHEETS)
    header_of = {c.key: c.header.zh for c in CHILD_COLUMNS}
    rows["留守儿童"] = [
        {header_of[key]: value for key, value in child(n, **{"pairing.teacher": f"T00{n % 3 + 1}"}).items()}
        for n in range(1, 7)
    ]  # fmt: skip
    for name, records in rows.items():
        sheet = book[name]
        headers = [cell.value for cell in sheet[1]]
        for number, record in enumerate(records, start=2):
            assert set(record) <= set(headers), (name, set(record) - set(headers))
            for header, value in record.items():
                sheet.cell(number, headers.index(header) + 1, value)
    book.save(path)


@pytest.mark.slow
def test_the_four_commands_set_a_school_up_and_plan_its_term(tmp_path: Path) -> None:
    commands = section_commands()
    assert [c[:2] for c in commands] == [
        ["guanai", "init"],
        ["guanai", "template"],
        ["guanai", "import"],
        ["guanai", "plan"],
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUANAI_", "XDG_"))}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        COLUMNS="160",
    )
    outputs = []
    for command in commands:
        args = [str(GUANAI), *command[1:]]
        if command[1] in ("import", "plan"):
            args += ["--now", NOW]
        result = subprocess.run(
            args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        outputs.append(result.stdout)
        if command[1] == "template":
            fill_in(tmp_path / command[2])
    imported, planned = outputs[2], outputs[3]
    assert re.search(r"│ 新建\s*│\s*6 │", imported), imported
    assert "已略过" in planned and re.search(r"│ 新建任务\s*│\s*[1-9]", planned), planned
    shown = subprocess.run(
        [str(GUANAI), "school", "show"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "某某县青山镇中心小学" in shown and "一年级2班" in shown
