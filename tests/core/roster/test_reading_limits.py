"""Reading a roster within ``[limits]``: honest files up to each limit are read, one past it is
refused naming the limit, and a CSV row in another encoding than its file's is refused by number.

The hostile files themselves (and the time and memory they may take) are in
test_hostile_files.py; these are the edges of each rule.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from roster_samples import child, write_roster

from guanai.core import i18n
from guanai.core.config import LimitSettings
from guanai.core.roster.reading import RosterFileError, open_roster


@pytest.fixture(autouse=True)
def _english() -> None:
    i18n.set_language("en")


def _refusal(path: Path, limits: LimitSettings) -> str:
    with pytest.raises(RosterFileError) as raised:
        list(open_roster(path, limits).rows())
    return raised.value.label.en


def _csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_rows_up_to_the_limit_are_read_and_one_more_is_refused(tmp_path) -> None:
    path = _csv(tmp_path / "r.csv", "学号,姓名\n1,张三\n2,李四\n")
    assert len(list(open_roster(path, LimitSettings(rows=3)).rows())) == 2
    assert _refusal(path, LimitSettings(rows=2)) == (
        "r.csv has too many rows, over the limit of 2 (raise rows in the config file's [limits])"
    )


def test_cells_up_to_the_limit_are_read_and_a_wider_row_is_refused(tmp_path) -> None:
    path = _csv(tmp_path / "r.csv", "学号,姓名,\n1,张三,,,\n")  # the header is 3 wide, row 2 is 5
    assert len(list(open_roster(path, LimitSettings(columns=5)).rows())) == 1
    assert "r.csv row 2 has 5 cells, over the limit of 4" in _refusal(
        path, LimitSettings(columns=4)
    )


def test_a_cell_as_long_as_the_limit_is_read_and_a_longer_one_refused(tmp_path) -> None:
    path = _csv(tmp_path / "r.csv", "学号,姓名\n1,张三丰\n")
    [row] = open_roster(path, LimitSettings(cell_chars=3)).rows()
    assert row.cells["姓名"] == "张三丰"
    assert _refusal(path, LimitSettings(cell_chars=2)) == (
        "r.csv row 2, column 2 holds 3 characters, over the limit of 2"
        " (raise cell_chars in the config file's [limits])"
    )


def test_an_xlsx_cell_as_long_as_the_limit_is_read_and_a_longer_one_refused(tmp_path) -> None:
    """openpyxl writes 张 as the 8 bytes &#24352;: the scan of the XML allows for that."""
    path = write_roster(tmp_path / "r.xlsx", [child(1, **{"child.name": "张" * 210})])
    [row] = open_roster(path, LimitSettings(cell_chars=210)).rows()
    assert row.cells["姓名"] == "张" * 210
    assert "r.xlsx row 2, column 2 holds 210 characters, over the limit of 209" in _refusal(
        path, LimitSettings(cell_chars=209)
    )
    assert "r.xlsx: xl/worksheets/sheet1.xml holds a text longer than a cell may be" in _refusal(
        path, LimitSettings(cell_chars=100)
    )


def test_a_file_larger_than_file_mb_is_refused_before_it_is_read(tmp_path) -> None:
    path = tmp_path / "r.csv"
    with path.open("wb") as file:
        file.truncate((1 << 20) + 1)  # sparse: nothing to read, so only the size can refuse it
    with pytest.raises(RosterFileError) as raised:
        open_roster(path, LimitSettings(file_mb=1))
    assert raised.value.label.en.startswith("r.csv is too large, over the limit of 1 MiB")


def test_an_xlsx_unpacking_past_unpacked_mb_is_refused_from_its_directory(tmp_path) -> None:
    path = write_roster(tmp_path / "r.xlsx", [child(1)])
    with zipfile.ZipFile(path, "a") as archive:  # 2 MiB of zeros, a few KiB packed
        archive.writestr("xl/media/blank.bin", bytes(2 << 20), zipfile.ZIP_DEFLATED)
    assert open_roster(path, LimitSettings(unpacked_mb=3)).sheet == "留守儿童"
    with pytest.raises(RosterFileError, match="unpacks to too much, over the limit of 2 MiB"):
        open_roster(path, LimitSettings(unpacked_mb=2))


def test_an_honest_header_wider_than_columns_is_read_once_the_limit_is_raised(tmp_path) -> None:
    """Excel's CSV keeps its used range: a stray cell far right makes every row that wide. The
    trailing empty headers are trimmed (in one pass) once the row is within the limit."""
    path = _csv(tmp_path / "r.csv", "学号,姓名" + "," * 150 + "\n1,张三" + "," * 150 + "\n")
    assert "row 1 has 152 cells" in _refusal(path, LimitSettings())
    roster = open_roster(path, LimitSettings(columns=200))
    assert roster.headers == ("学号", "姓名")
    assert [row.cells for row in roster.rows()] == [{"学号": "1", "姓名": "张三"}]


def test_a_csv_row_longer_than_a_row_within_the_limits_is_refused_unread(tmp_path) -> None:
    path = _csv(tmp_path / "r.csv", "学号,姓名\n1," + "张" * 30 + "\n")
    assert _refusal(path, LimitSettings(columns=2, cell_chars=10)) == (
        "r.csv row 2 is longer than 2 cells of 10 characters can be"
        " (raise columns or cell_chars in the config file's [limits])"
    )


# --- encodings ----------------------------------------------------------------------------


def test_a_utf8_row_in_a_gb18030_file_is_refused_by_its_row_number(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("学号,姓名\n1,李四\n".encode("gb18030") + "2,张三\n".encode())
    roster = open_roster(path)
    assert roster.encoding == "gb18030"
    message = _refusal(path, LimitSettings())
    assert message.startswith("r.csv: row 3 is in UTF-8, the rest of the file in GB18030.")
    i18n.set_language("zh")
    with pytest.raises(RosterFileError) as raised:
        list(roster.rows())
    assert raised.value.label.zh.startswith("r.csv：第 3 行是 UTF-8 编码，而文件其余部分是 GB18030")


def test_a_gb18030_row_in_a_utf8_file_is_refused_by_its_row_number(tmp_path) -> None:
    text = "学号,姓名\n1,李四\n2,王五\n"
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode() + "3,张三\n".encode("gb18030"))
    assert open_roster(path).encoding == "utf-8-sig"
    assert _refusal(path, LimitSettings()).startswith(
        "r.csv: row 4 is not in UTF-8, as the rest of the file is."
    )


def test_a_bom_says_utf8_whatever_most_rows_are(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeff学号,姓名\n".encode() + "1,李四\n2,王五\n".encode("gb18030"))
    assert open_roster(path).encoding == "utf-8-sig"
    assert "row 2 is not in UTF-8" in _refusal(path, LimitSettings())


def test_a_gb18030_row_that_happens_to_be_valid_utf8_is_still_gb18030(tmp_path) -> None:
    """女 in GB18030 is the bytes of Ů in UTF-8: a row whose only Chinese is 女 is valid UTF-8,
    but not UTF-8 Chinese, so it is no evidence against the file's GB18030."""
    text = "学号,姓名,性别\n1,Li Na,女\n2,李四,男\n"
    path = _csv(tmp_path / "r.csv", text, "gb18030")
    assert "女".encode("gb18030").decode() == "Ů"
    assert [r.cells["性别"] for r in open_roster(path).rows()] == ["女", "男"]


def test_a_row_number_counts_records_not_lines(tmp_path) -> None:
    path = tmp_path / "r.csv"
    text = '学号,姓名\n1,"张\n三"\n'.encode("gb18030")
    path.write_bytes(text + "2,李四\n".encode() + "3,王五\n".encode("gb18030"))
    assert "row 3 is in UTF-8" in _refusal(path, LimitSettings())


def test_a_utf16_file_that_is_not_valid_utf16_is_refused(tmp_path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"\xff\xfe" + "学号\t姓名\n".encode("utf-16-le") + b"\x00\xd8")
    with pytest.raises(RosterFileError, match="starts as UTF-16 but is not valid UTF-16"):
        open_roster(path)


# --- a file that changes ------------------------------------------------------------------


def test_a_file_changed_after_it_was_opened_is_refused_when_read(tmp_path) -> None:
    path = _csv(tmp_path / "r.csv", "学号,姓名\n1,张三\n")
    roster = open_roster(path)
    path.write_text("学号,姓名\n1,张三\n2,李四\n", encoding="utf-8")  # saved again
    with pytest.raises(RosterFileError, match=r"r\.csv changed while it was being imported"):
        list(roster.rows())
