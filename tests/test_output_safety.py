"""Every command that writes a file writes data, never a formula, and keeps private files private.

A school whose every text field starts with a character a spreadsheet reads as the start of a
formula (``=`` ``+`` ``-`` ``@``, and tab and carriage return where a cell can hold them: in the
rows a rejects file carries back as they were) goes through every command that writes a file,
by the real command line. Every file each one writes is then read back as a spreadsheet program
would: no .xlsx cell is a formula and every formula-like text cell is marked as text; no CSV
cell starts with a formula character; and a file holding any private value (a name, an ID
number, a phone, an address, a note) is readable only by its owner (0600), also when it was
written over an existing, world-readable file. The files meant to be shared (the blank roster,
the iCal feeds, a plugin's skeleton) must hold none.

The commands that write files are listed here (``OUTPUTS``), and every path a command takes is
known as read or written (``INPUTS``): a new command, or a new option, that takes a path fails
:func:`test_every_path_a_command_takes_is_known_as_read_or_written` until it is listed and
walked. (A command writes a file only where its user names one, as a ``click.Path``; the
database itself is the ``--db`` URL.)
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from openpyxl import Workbook, load_workbook
from roster_samples import child, write_roster
from sqlalchemy import Engine, select

from guanai.cli import cli
from guanai.core.db import make_engine, transaction
from guanai.core.models import School, SchoolClass, Task, Teacher
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager
from guanai.core.roster.checks import CellError
from guanai.core.roster.columns import CHILD_COLUMNS, Column, Kind
from guanai.core.roster.validation import parse_cell
from guanai.core.workbook import decrypted

NOW = "2026-09-14T08:00"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # as the spreadsheet programs read them
PASSWORD = "safe-password-1"
CLASSES = ("=一年级1班", "+一年级2班", "-三年级1班")
TEACHERS = (("@T001", "=教师甲"), ("@T002", "+教师乙"), ("@T003", "-教师丙"))

OUTPUTS = {  # command -> the parameter naming the file or folder it writes
    "template": "file",
    "import": "rejects_path",
    "export": "file",
    "ledger": "file",
    "export-ics": "directory",
    "plugin new": "directory",
}
INPUTS = {  # (command, parameter) of every path that is only read
    ("", "config_path"),
    ("import", "file"),
    ("import", "password_file"),
    ("export", "password_file"),
    ("ledger", "password_file"),
    ("complete", "json_file"),
}
UNIQUE_TEXT = re.compile(r"[a-z_]+\d+私")
SHAREABLE = {"template", "export-ics", "plugin new"}  # their files must hold no private value
PRIVATE_KEYS = {c.key for c in CHILD_COLUMNS if c.private} | {
    "child.name",
    "father.name",
    "mother.name",
    "guardian.name",
}


def hostile(start: str, text: str) -> str:
    """``text`` behind something a spreadsheet would run, by its first character."""
    return {
        "=": f'=HYPERLINK("http://x.invalid","{text}")',
        "+": f"+cmd|' /C calc'!A0 {text}",
        "-": f"-2+3+cmd|' /C calc'!A0 {text}",
        "@": f"@SUM(1+1)*cmd|' /C calc'!A0 {text}",
        "\t": f"\t={text}",
        "\r": f"\r={text}",
    }[start]


def hostile_child(n: int, starts: str = "=+-@") -> dict[str, str]:
    """Child ``n`` with every free-text cell formula-like (``starts`` in turn) around a text
    found nowhere else (``name101私``), its phones written +86…, and the school's class and
    pairing teacher (formula-like too)."""
    row = child(n)
    text_keys = [
        c.key
        for c in CHILD_COLUMNS
        if c.kind is Kind.TEXT
        and c.key not in ("child.class", "pairing.teacher", "pairing.buddy", "pairing.buddy_name")
    ]
    for index, key in enumerate(text_keys):
        # a student number is at most 40 characters, and not private: S<n> will do
        text = f"S{n}" if key == "child.student_no" else f"{key.split('.')[1]}{n}私"
        row[key] = hostile(starts[(n + index) % len(starts)], text)
    for key in ("father.phone", "mother.phone", "guardian.phone"):
        row[key] = f"+86{row[key]}"
    row["child.class"] = CLASSES[n % len(CLASSES)]
    row["pairing.teacher"] = TEACHERS[0][0]
    row["pairing.buddy_name"] = "=@王小红"  # formula-like too; a name has no digits
    return row


def private_values(rows: list[dict[str, str]]) -> set[str]:
    """What a file holding these rows' private fields shows of them: the text found nowhere
    else inside each formula-like text, and phones and ID numbers as stored."""
    found: set[str] = set()
    for row in rows:
        for column in CHILD_COLUMNS:
            raw = row.get(column.key)
            if column.key not in PRIVATE_KEYS or not raw:
                continue
            if column.kind is Kind.TEXT:
                found.update(UNIQUE_TEXT.findall(raw))
            else:
                with contextlib.suppress(CellError):
                    found.add(str(parse_cell(column, raw)))
    return found


@dataclass
class World:
    url: str
    engine: Engine
    pm: GuanaiPluginManager
    tmp: Path
    private: set[str] = field(default_factory=set)
    runner: CliRunner = field(default_factory=CliRunner)

    def run(self, *args: str) -> Result:
        return self.runner.invoke(cli, ["--db", self.url, *args], obj=self.pm)

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.exit_code == 0, f"{args}: {result.output}"
        return result

    def folder(self, name: str) -> Path:
        path = self.tmp / name
        path.mkdir()
        return path


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """With umask 022 a file created with the default mode is world-readable, as on most
    machines: a writer that does not make its file private is seen."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _pm() -> GuanaiPluginManager:
    pm = build_plugin_manager(load_entry_points=False)
    pm.hook.register_commands(cli=cli)  # as guanai.cli.main does: feeds, serve, export-ics
    return pm


@pytest.fixture
def school(database_url: str, tmp_path: Path) -> Iterator[World]:
    """School S1 with formula-like names for itself, its classes and teachers, and four
    children imported with formula-like text in every free-text field."""
    engine = make_engine(database_url)
    world = World(database_url, engine, _pm(), tmp_path)
    world.ok("init")
    with transaction(engine) as session:
        school = School(code="S1", name=hostile("=", "测试小学"))
        session.add(school)
        session.flush()
        teachers = [Teacher(school_id=school.id, code=c, name=n, phone=None) for c, n in TEACHERS]
        session.add_all(teachers)
        session.flush()
        for index, name in enumerate(CLASSES):
            session.add(
                SchoolClass(
                    school_id=school.id, grade=1, name=name, head_teacher_id=teachers[index].id
                )
            )
    rows = [hostile_child(n) for n in range(1, 5)]
    roster = write_roster(tmp_path / "roster.csv", rows)
    world.ok("import", str(roster), "--school", "S1", "--now", NOW)
    world.private = private_values(rows)
    try:
        yield world
    finally:
        engine.dispose()


@pytest.fixture
def planned(school: World) -> World:
    """The school's term planned, a talk recorded with formula-like text, a teacher's feed."""
    school.ok("plan", "2026-autumn", "--school", "S1", "--now", NOW)
    school.ok("tick", "--now", NOW)
    with transaction(school.engine) as session:
        task = session.scalar(
            select(Task.id)
            .where(Task.step == "pairing_teacher_talk", Task.state == "due")
            .order_by(Task.id)
        )
    school.ok(
        "complete", str(task), "-f", "date=2026-09-14", "-f", f"place={hostile('=', '办公室')}",
        "-f", f"topics={hostile('@', '学习')}", "-f", f"notes={hostile('+', '谈心很好')}",
        "--now", NOW,
    )  # fmt: skip
    school.ok(
        "feeds", "issue", f"--teacher={TEACHERS[0][0]}", "--school", "S1", "--no-qr",
        "--base-url", "https://guanai.example.edu.cn",
    )  # fmt: skip
    return school


def _readable_over(path: Path) -> Path:
    """An existing world-readable file at ``path``, for the command to write over."""
    path.write_text("an old file")
    path.chmod(0o644)
    return path


# --- the walk: each file-writing command, run as a school would --------------------------


def _template(w: World) -> Path:
    folder = w.folder("template")
    w.ok("template", str(folder / "名册.xlsx"))
    return folder


def _import_rejects(w: World) -> Path:
    """Rejected rows carried back as they were: tab and CR leads too, in both formats."""
    folder = w.folder("import")
    rows = [
        hostile_child(n, starts="\t\r=+-@") | {"child.gender": "?", "child.id_number": "bad"}
        for n in range(11, 15)
    ]
    w.private |= private_values(rows)
    for source in (write_roster(w.tmp / "bad.csv", rows), write_roster(w.tmp / "bad.xlsx", rows)):
        for suffix in (".csv", ".xlsx"):
            target = _readable_over(folder / f"{source.stem}-{source.suffix[1:]}-rejects{suffix}")
            result = w.run("import", str(source), "--school", "S1", "--rejects", str(target))
            assert result.exit_code == 1, result.output  # every row has a problem
    return folder


def _export(w: World) -> Path:
    folder = w.folder("export")
    (w.tmp / "pw").write_text(PASSWORD)
    w.ok("export", str(_readable_over(folder / "plain.xlsx")), "--school", "S1")
    w.ok("export", str(folder / "contacts.xlsx"), "--school", "S1", "--with-contacts")
    w.ok("export", str(folder / "encrypted.xlsx"), "--school", "S1",
         "--password-file", str(w.tmp / "pw"))  # fmt: skip
    return folder


def _ledger(w: World) -> Path:
    folder = w.folder("ledger")
    (w.tmp / "pw").write_text(PASSWORD)
    w.ok("ledger", str(_readable_over(folder / "台账.xlsx")), "--school", "S1")
    w.ok("ledger", str(folder / "encrypted.xlsx"), "--school", "S1",
         "--password-file", str(w.tmp / "pw"))  # fmt: skip
    return folder


def _export_ics(w: World) -> Path:
    folder = w.folder("ics")
    w.ok("export-ics", str(folder))
    assert list(folder.glob("*.ics"))
    return folder


def _plugin_new(w: World) -> Path:
    folder = w.folder("plugin")
    w.ok("plugin", "new", "guanai-autumn-trip", "--directory", str(folder / "p"))
    return folder


WALK: dict[str, Callable[[World], Path]] = {
    "template": _template,
    "import": _import_rejects,
    "export": _export,
    "ledger": _ledger,
    "export-ics": _export_ics,
    "plugin new": _plugin_new,
}


# --- reading the files back -----------------------------------------------------------------


def _workbook(path: Path) -> Workbook:
    if zipfile.is_zipfile(path):
        return load_workbook(path)
    with decrypted(path, PASSWORD) as plain:  # an encrypted workbook: open it as Excel would
        return load_workbook(plain)


def _spreadsheet_problems(path: Path) -> tuple[list[str], list[str], int]:
    """(problems, the file's text, formula-like cells that were written safely)."""
    problems: list[str] = []
    texts: list[str] = []
    guarded = 0
    if path.suffix == ".xlsx":
        book = _workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        problems.append(f"{path.name} {sheet.title}!{cell.coordinate} is a formula")
                    elif isinstance(cell.value, str):
                        texts.append(cell.value)
                        if cell.value.startswith(FORMULA_START):
                            if cell.quotePrefix:
                                guarded += 1
                            else:
                                problems.append(
                                    f"{path.name} {sheet.title}!{cell.coordinate}: "
                                    "formula-like text not marked as text"
                                )
    else:
        with path.open(encoding="utf-8-sig", newline="") as file:
            for number, row in enumerate(csv.reader(file), start=1):
                for cell in row:
                    texts.append(cell)
                    if cell.startswith(FORMULA_START):
                        problems.append(f"{path.name} line {number}: a cell starts {cell[:1]!r}")
                    guarded += cell.startswith("'") and cell[1:].startswith(FORMULA_START)
    return problems, texts, guarded


def _text_of(path: Path) -> str:
    """A text file as a reader sees it: iCal's folded lines unfolded."""
    return path.read_bytes().decode("utf-8", "replace").replace("\r\n ", "").replace("\n ", "")


def test_every_file_a_command_writes_holds_no_formula_and_private_files_are_private(
    planned: World,
) -> None:
    assert set(WALK) == set(OUTPUTS)
    wrong: list[str] = []
    for command, walk in WALK.items():
        folder = walk(planned)
        files = [path for path in sorted(folder.rglob("*")) if path.is_file()]
        assert files, f"{command} wrote nothing"
        for path in files:
            if path.suffix in (".xlsx", ".csv"):
                problems, texts, guarded = _spreadsheet_problems(path)
                wrong += [f"{command}: {problem}" for problem in problems]
                text = "\n".join(texts)
                if command not in SHAREABLE and not guarded:
                    wrong.append(f"{command}: {path.name} shows none of the formula-like data")
            else:
                text = _text_of(path)
            shown = sorted(value for value in planned.private if value in text)
            mode = stat.S_IMODE(path.stat().st_mode)
            if command in SHAREABLE and shown:
                wrong.append(f"{command}: {path.name} is shared but holds {shown[:3]}")
            if shown and mode != 0o600:
                wrong.append(f"{command}: {path.name} holds private fields with mode {mode:o}")
            if command not in SHAREABLE and not shown:
                wrong.append(f"{command}: {path.name} shows no private value: the walk saw nothing")
    assert not wrong, "\n".join(wrong)


def _command_paths(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from _command_paths(command, f"{prefix}{name} ")


def test_every_path_a_command_takes_is_known_as_read_or_written() -> None:
    _pm()
    found = {
        (path, param.name)
        for path, command in [("", cli), *_command_paths(cli)]
        for param in command.params
        if isinstance(param.type, click.Path)
    }
    assert found == INPUTS | set(OUTPUTS.items())


# --- what the user gets back: a fixed rejects file, an export, import as typed --------------


def _export_rows(w: World, name: str) -> dict[str, dict[str, object]]:
    path = w.tmp / name
    w.ok("export", str(path), "--school", "S1", "--with-contacts")
    sheet = load_workbook(path)["留守儿童"]
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows)
    return {str(row[0]): dict(zip(headers, row, strict=True)) for row in rows}


def _as_stored(column: Column, typed: str) -> object:
    value = parse_cell(column, typed)
    return column.render(value) if not isinstance(value, date) else value


TYPED = {  # what a user types in cells that a spreadsheet would take for formulas
    "child.name": "-小明",
    "guardian.phone": "+8613800000099",
    "guardian.occupation": '=HYPERLINK("http://example.invalid","务农")',
    "child.notes": "+cmd|' /C calc'!A0",
    "child.home_address": "@某县某镇",
    "father.work_unit": "-2+3+cmd|' /C calc'!A0",
}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_fixed_rejects_file_imports_as_the_user_typed_it(school: World, suffix: str) -> None:
    rows = [child(n, **{**dict(TYPED), "child.class": CLASSES[0], "child.gender": "?"})
            for n in (21, 22)]  # fmt: skip
    for row in rows:
        row["child.student_no"] = f"-{row['child.student_no']}"
    source = write_roster(school.tmp / "bad.csv", rows)
    rejects = school.tmp / f"rejects{suffix}"
    result = school.run("import", str(source), "--school", "S1", "--rejects", str(rejects))
    assert result.exit_code == 1
    _fix_genders(rejects)
    school.ok("import", str(rejects), "--school", "S1", "--now", NOW)
    exported = _export_rows(school, "after.xlsx")
    for row in rows:
        got = exported[row["child.student_no"]]
        for column in CHILD_COLUMNS:
            if column.key in TYPED:
                assert got[column.header.zh] == _as_stored(column, row[column.key]), column.key


def _fix_genders(path: Path) -> None:
    """The user corrects the one bad cell of each row in place and saves, as Excel would."""
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        sheet = book["留守儿童"]
        column = [cell.value for cell in sheet[1]].index("性别") + 1
        for number in range(2, sheet.max_row + 1):
            sheet.cell(row=number, column=column, value="男")
        book.save(path)
        return
    with path.open(encoding="utf-8-sig", newline="") as file:
        table = list(csv.reader(file))
    column = table[0].index("性别")
    for row in table[1:]:
        row[column] = "男"
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows(table)


def test_an_export_of_formula_like_data_imports_again_unchanged(school: World) -> None:
    before = _export_rows(school, "before.xlsx")
    school.ok("import", str(school.tmp / "before.xlsx"), "--school", "S1", "--now", NOW)
    assert _export_rows(school, "after.xlsx") == before
    assert any(str(name).startswith(FORMULA_START) for name in
               (row["姓名"] for row in before.values()))  # fmt: skip
