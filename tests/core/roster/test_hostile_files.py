"""A corpus of small hostile files: each is refused in seconds, in one line naming what is wrong
and the limit that refuses it, within bounded memory, and leaves the database as it was.

The files are made here, in a temporary directory, once per test session: each is small on disk
and hostile in what it would cost (a header of 200,000 commas, a 2 MB .xlsx that unpacks to a
320 MB shared string, a cell in column XFD on every row, a directory that lies, a TOML array
nested 5,000 deep...). Each runs through the real command line, ``guanai import FILE`` (or
``plan FILE``, ``--config FILE``), in a child process forked for it, so that a hang is killed
and reported instead of hanging the suite, and with its address space capped, so that a reader
that holds what it should stream fails with a MemoryError instead of passing.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import resource
import struct
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
from click.testing import CliRunner
from roster_samples import add_school, child, snapshot

from guanai.cli import cli
from guanai.core.db import make_engine, transaction, upgrade
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager
from guanai.core.roster.columns import CHILD_COLUMNS

BOUND_SECONDS = 30  # generous: each file is refused in well under a second on an idle machine
MEMORY_HEADROOM = 256 << 20  # bytes of address space the command may add to what it has


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[Path], None]
    says: tuple[str, ...]  # what the one-line message must hold, besides the file's name
    command: tuple[str, ...] = ("import",)
    named: str = ""  # the file the message names, if not this one


# --- raw files ----------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="留守儿童" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>学号</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>姓名</t></is></c></row>'
)


def _xlsx(
    path: Path,
    rows: Iterable[str] = (),
    shared: Iterable[bytes] = (b"",),
    *,
    head: bytes = b'<?xml version="1.0" encoding="UTF-8"?>',
    extra_parts: int = 0,
) -> None:
    """A workbook written part by part: its sheet holds the header row, then ``rows`` (XML);
    its shared strings part, after ``head``, holds ``shared`` (streamed: it may be large)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            sheet.write(_HEADER_ROW.encode())
            for row in rows:
                sheet.write(row.encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(head + f'<sst xmlns="{_MAIN}"><si><t>'.encode())
            for block in shared:
                strings.write(block)
            strings.write(b"</t></si></sst>")
        for number in range(extra_parts):
            archive.writestr(f"customXml/item{number}.xml", "")


def _patched_directory(path: Path, part: str, offset: int, fmt: str, value: int) -> None:
    """Overwrite one field of ``part``'s central directory entry (``offset`` in the entry)."""
    data = bytearray(path.read_bytes())
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(part.encode()))
    struct.pack_into(fmt, data, entry + offset, value)
    path.write_bytes(bytes(data))


def _csv_line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(list(values))
    return buffer.getvalue()


def _roster_csv(path: Path) -> None:
    rows = [_csv_line(c.header.zh for c in CHILD_COLUMNS)]
    rows.append(_csv_line(child(1).get(c.key) or "" for c in CHILD_COLUMNS))
    path.write_text("".join(rows), encoding="utf-8")


# --- the corpus ---------------------------------------------------------------------------


def _header_of_commas(path: Path) -> None:
    path.write_text("学号,姓名" + "," * 200_000 + "\n20260001,张三\n", encoding="utf-8")


def _one_endless_line(path: Path) -> None:
    path.write_bytes("学号,姓名\n".encode() + b"2" * 2_000_000)


def _long_cell(path: Path) -> None:
    path.write_text("学号,姓名\n20260001," + "张" * 50_000 + "\n", encoding="utf-8")


def _utf8_row_in_gb18030(path: Path) -> None:
    head = _csv_line(c.header.zh for c in CHILD_COLUMNS) + _csv_line(
        child(1).get(c.key) or "" for c in CHILD_COLUMNS
    )
    row = _csv_line(["20260002", "张三"] + [""] * (len(CHILD_COLUMNS) - 2))
    assert row.encode("utf-8").decode("gb18030") != row  # GB18030 would read it as mojibake
    path.write_bytes(head.encode("gb18030") + row.encode("utf-8"))


def _larger_than_file_mb(path: Path) -> None:
    with path.open("wb") as file:  # sparse: 300 MiB on paper, nothing on disk
        file.truncate(300 << 20)


def _cell_in_column_xfd(path: Path) -> None:
    rows = (
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="XFD{n}"><v>1</v></c></row>'
        for n in range(2, 2000)
    )
    _xlsx(path, rows)


def _shared_string_of_320_mb(path: Path) -> None:
    _xlsx(
        path,
        ['<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>0</v></c></row>'],
        (b"a" * (1 << 24) for _ in range(20)),
    )


def _inline_string_of_64_mb(path: Path) -> None:
    text = "a" * (64 << 20)
    _xlsx(
        path,
        [
            f'<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>{text}</t></is></c></row>'
        ],
    )


def _declared_to_unpack_to_600_mb(path: Path) -> None:
    _xlsx(path)
    _patched_directory(path, "xl/sharedStrings.xml", 24, "<I", 600 << 20)  # uncompressed size


def _directory_that_lies(path: Path) -> None:
    rows = (f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 50_000))
    _xlsx(path, rows)
    _patched_directory(path, "xl/worksheets/sheet1.xml", 24, "<I", 1000)


def _billion_laughs(path: Path) -> None:
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    head = f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY l0 "lol">{entities}]>'.encode()
    _xlsx(path, [], [b"&l9;"], head=head)


def _twelve_thousand_parts(path: Path) -> None:
    _xlsx(path, extra_parts=12_000)


def _end_record_that_lies(path: Path) -> None:
    _twelve_thousand_parts(path)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 6, 6)  # "6 parts": the directory lists 12,006
    path.write_bytes(bytes(data))


def _rows_past_a_lowered_limit(path: Path) -> None:
    """Rows 1 and 5,000 of a sheet whose reader lowered ``rows`` to 1,000 (the default,
    1,000,000, takes a million empty rows to reach: linear, but seconds)."""
    _xlsx(path, ['<row r="5000"><c r="A5000"><v>1</v></c></row>'])
    path.with_name("rows-1000.toml").write_text("[limits]\nrows = 1000\n", encoding="utf-8")


def _empty_rows_without_a_size(path: Path) -> None:
    """2 million rows and no <dimension>: openpyxl would read them all to find the size."""
    block = "".join(f'<row r="{n}"/>' for n in range(2, 1002))
    _xlsx(path, (block for _ in range(2000)))


def _row_of_empty_cells(path: Path) -> None:
    _xlsx(path, ['<row r="2">' + "<c/>" * 500_000 + "</row>"])


def _cell_no_column_can_hold(path: Path) -> None:
    _xlsx(path, ['<row r="2"><c r="AAAA2"><v>1</v></c></row>'])


def _ods_of_a_billion_cells(path: Path) -> None:
    """1.5 KB of .ods: a row of 1,024 cells repeated 1,048,576 times (calamine, which spreads a
    sheet out whole, aborted the process on it)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="留守儿童"><table:table-row'
        ' table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated='
        '"1024" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)


def _xls_with_a_cell_in_iv65536(path: Path) -> None:
    """5 KB of .xls whose two cells span 16 million (1 GB once calamine spreads them out)."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("留守儿童")
    sheet.write(0, 0, "学号")
    sheet.write(65535, 255, "x")
    book.save(str(path))


def _deep_toml(path: Path) -> None:
    path.write_text("x = " + "[" * 5_000 + "]" * 5_000 + "\n", encoding="utf-8")


def _roster_and_deep_config(path: Path) -> None:
    _roster_csv(path)
    _deep_toml(path.with_name("deep-config.toml"))


LIMIT = "in the config file's [limits]"
CORPUS = (
    Hostile("header_of_commas.csv", _header_of_commas, ("row 1 has 200,002 cells", "raise columns", LIMIT)),
    Hostile("one_endless_line.csv", _one_endless_line, ("row 2 is longer than 100 cells of 10,000 characters", "raise columns or cell_chars")),
    Hostile("long_cell.csv", _long_cell, ("row 2, column 2 holds 50,000 characters", "limit of 10,000", "raise cell_chars", LIMIT)),
    Hostile("utf8_row_in_gb18030.csv", _utf8_row_in_gb18030, ("row 3 is in UTF-8, the rest of the file in GB18030",)),
    Hostile("larger_than_file_mb.csv", _larger_than_file_mb, ("is too large", "limit of 256 MiB", "raise file_mb", LIMIT)),
    Hostile("cell_in_column_xfd.xlsx", _cell_in_column_xfd, ("row 2 has 16,384 cells", "limit of 100", "raise columns", LIMIT)),
    Hostile("shared_string_of_320_mb.xlsx", _shared_string_of_320_mb, ("xl/sharedStrings.xml holds a text longer than a cell may be", "raise cell_chars", LIMIT)),
    Hostile("inline_string_of_64_mb.xlsx", _inline_string_of_64_mb, ("xl/worksheets/sheet1.xml holds a text longer than a cell may be", "raise cell_chars")),
    Hostile("declared_to_unpack_to_600_mb.xlsx", _declared_to_unpack_to_600_mb, ("unpacks to too much", "limit of 512 MiB", "raise unpacked_mb", LIMIT)),
    Hostile("directory_that_lies.xlsx", _directory_that_lies, ("is not a valid .xlsx file",)),
    Hostile("billion_laughs.xlsx", _billion_laughs, ("xl/sharedStrings.xml declares a DTD",)),
    Hostile("twelve_thousand_parts.xlsx", _twelve_thousand_parts, ("holds too many parts", "limit of 10,000", "raise xlsx_parts", LIMIT)),
    Hostile("end_record_that_lies.xlsx", _end_record_that_lies, ("holds too many parts", "raise xlsx_parts")),
    Hostile("rows_past_a_lowered_limit.xlsx", _rows_past_a_lowered_limit, ("has too many rows", "limit of 1,000", "raise rows", LIMIT), ("--config", "{dir}/rows-1000.toml", "import")),
    Hostile("empty_rows_without_a_size.xlsx", _empty_rows_without_a_size, ("xl/worksheets/sheet1.xml has too many rows", "limit of 1,000,000", "raise rows")),
    Hostile("row_of_empty_cells.xlsx", _row_of_empty_cells, ("xl/worksheets/sheet1.xml has a row of too many cells", "limit of 100", "raise columns")),
    Hostile("cell_no_column_can_hold.xlsx", _cell_no_column_can_hold, ("is not a valid .xlsx file",)),
    Hostile("ods_of_a_billion_cells.ods", _ods_of_a_billion_cells, ("content.xml has a row of too many cells", "limit of 100", "raise columns", LIMIT)),
    Hostile("xls_with_a_cell_in_iv65536.xls", _xls_with_a_cell_in_iv65536, ("has a row of too many cells", "limit of 100", "raise columns", LIMIT)),
    Hostile("deep_calendar.toml", _deep_toml, ("calendar file", "line 1: arrays or inline tables nested too deep", "limit of 16", "raise toml_depth"), ("plan",)),
    # The config file's errors are in the language --lang asks for, like every other.
    Hostile("roster_under_deep_config.csv", _roster_and_deep_config, ("line 1", "nested more than 16 deep"), ("--config", "{dir}/deep-config.toml", "import"), named="deep-config.toml"),
)  # fmt: skip


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Hostile], Path]:
    """The path of a hostile file, made the first time it is asked for."""
    folder = tmp_path_factory.mktemp("hostile")

    def made(hostile: Hostile) -> Path:
        path = folder / hostile.name
        if not path.exists():
            hostile.make(path)
        return path

    return made


@pytest.fixture(scope="module")
def pm() -> GuanaiPluginManager:
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def database(database_url: str) -> Iterator[object]:
    """An upgraded database with school S1 (a roster has somewhere to go), and its engine."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with transaction(engine) as session:
            add_school(session)
        yield engine
    finally:
        engine.dispose()


def _command(pipe: Connection, arguments: list[str], pm: GuanaiPluginManager) -> None:
    """In the child: the command, with its address space capped, its result sent back."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    mapped = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (mapped + MEMORY_HEADROOM, hard))
    result = CliRunner().invoke(cli, arguments, obj=pm)
    pipe.send((result.exit_code, result.output, type(result.exception).__name__))


def _run(arguments: list[str], pm: GuanaiPluginManager) -> tuple[int, str, str, float]:
    """Run the command in a forked child: (exit code, output, exception, seconds); a child
    still running after the bound is killed and the test fails."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child_process = context.Process(target=_command, args=(sending, arguments, pm))
    started = time.monotonic()
    child_process.start()
    sending.close()
    if not receiving.poll(BOUND_SECONDS):
        child_process.kill()
        child_process.join()
        pytest.fail(f"guanai {' '.join(arguments[2:])} still ran after {BOUND_SECONDS} s")
    exit_code, output, exception = receiving.recv()
    child_process.join()
    return exit_code, output, exception, time.monotonic() - started


@pytest.mark.parametrize("hostile", CORPUS, ids=[h.name for h in CORPUS])
def test_a_hostile_file_is_refused_in_one_line_in_bounded_time_and_changes_nothing(
    hostile: Hostile, corpus, database, database_url: str, pm
) -> None:
    path = corpus(hostile)
    before = snapshot(database)
    command = [part.format(dir=path.parent) for part in hostile.command]
    arguments = ["--db", database_url, "--lang", "en", *command, str(path)]
    exit_code, output, exception, seconds = _run(arguments, pm)
    assert exception == "SystemExit" and exit_code == 1, output
    [line] = output.strip().splitlines()  # one line, no traceback
    assert line.startswith(("error: ", "错误：")) and (hostile.named or hostile.name) in line
    for words in hostile.says:
        assert words in line
    assert seconds < BOUND_SECONDS
    assert snapshot(database) == before


def test_the_corpus_is_small_on_disk(corpus) -> None:
    """Hostile in what it would cost, not in what it takes: no file of it is over 4 MB."""
    for hostile in CORPUS:
        assert corpus(hostile).stat().st_blocks * 512 < 4 << 20, hostile.name
