"""A CSV roster's encoding and delimiter, and its records read one bounded line at a time.

The encoding is the file's, never a row's: UTF-8 when the file says so (a BOM) or every line
reads as UTF-8, UTF-16 after its BOM, otherwise UTF-8 or GB18030 by what most lines read as.
A row then that is not in the file's encoding is refused with its row number, instead of
being decoded into other characters (GB18030 reads almost any bytes: UTF-8 张三 would be
stored as 寮犱笁). Lines are read with a length cap, so no row of the file is ever held
longer than a row within the limits can be.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from guanai.core.config import LimitSettings
from guanai.core.i18n import Label
from guanai.core.roster.file_errors import RosterFileError

BYTES_PER_CHAR = 4  # the most bytes one character takes in UTF-8 or GB18030
_CHINESE = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def row_chars(limits: LimitSettings) -> int:
    """The most characters one CSV record (one row, over all its lines) may take."""
    return limits.columns * limits.cell_chars


def detect_encoding(path: Path, limits: LimitSettings) -> str:
    """``utf-8-sig``, ``gb18030`` or ``utf-16``: the file's encoding, read in one pass."""
    with path.open("rb") as file:
        start = file.read(4)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _checked_utf16(path, file)
        if start.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        file.seek(0)
        cap = BYTES_PER_CHAR * row_chars(limits)
        utf8 = other = 0
        while line := file.readline(cap + 1):
            if len(line) > cap:
                break  # too long to be a row: refused when reading comes to it
            if line.isascii():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                other += 1
            else:
                utf8 += bool(_CHINESE.search(text))
    return "utf-8-sig" if utf8 >= other else "gb18030"


def _checked_utf16(path: Path, file: IO[bytes]) -> str:
    """``utf-16`` if the whole file decodes as UTF-16, read in blocks."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-16")(errors="strict")
    try:
        while block := file.read(1 << 20):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _encoding_error(
            path.name,
            Label(
                "以 UTF-16 标记开头，却不是有效的 UTF-16",
                "starts as UTF-16 but is not valid UTF-16",
            ),
        ) from None
    return "utf-16"


def detect_delimiter(path: Path, encoding: str, limits: LimitSettings) -> str:
    """A comma, or a tab for Excel's "Unicode text" export: whichever the first line holds."""
    with path.open(encoding=encoding, errors="replace", newline="") as file:
        first = file.readline(row_chars(limits))
    return "\t" if first.count("\t") > first.count(",") else ","


def csv_rows(
    path: Path, encoding: str, delimiter: str, limits: LimitSettings
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Each record with its 1-based number (a quoted cell may span lines: still one row)."""
    # csv's own limit on one field is process-wide and smaller than a row may be; the lines
    # below bound every record, so that limit only needs to stay out of the way.
    csv.field_size_limit(max(csv.field_size_limit(), row_chars(limits)))
    with path.open("rb") as file:
        lines = _Lines(path.name, file, encoding, limits)
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            for values in reader:
                yield lines.row, tuple(values)
                lines.row += 1
                lines.used = 0
        except csv.Error as problem:
            raise RosterFileError(
                Label(
                    f"{path.name} 第 {reader.line_num} 行不是有效的 CSV：{problem}",
                    f"{path.name} line {reader.line_num} is not valid CSV: {problem}",
                )
            ) from None


class _Lines:
    """The file's lines as text, for :func:`csv.reader`: each decoded on its own in the file's
    encoding, so that a line in another one is caught on its own row, and none longer than the
    record being read may still take."""

    def __init__(
        self,
        name: str,
        file: IO[bytes],
        encoding: str,
        limits: LimitSettings,
    ) -> None:
        self.name, self.encoding, self.limits = name, encoding, limits
        self.file = file
        self.text: IO[str] | None = None
        if encoding == "utf-16":  # a newline is two bytes: read as text (checked whole before)
            self.text = io.TextIOWrapper(file, encoding="utf-16", newline="")
        self.row = 1  # the record being read
        self.used = 0  # its characters so far
        self.first = True

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        room = row_chars(self.limits) - self.used
        if self.text is not None:
            line = self.text.readline(room + 1)
        else:
            raw = self.file.readline(BYTES_PER_CHAR * room + 1)
            if len(raw) > BYTES_PER_CHAR * room:  # more characters than room, however encoded
                raise self._too_long()
            line = self._decoded(raw) if raw else ""
        if not line:
            raise StopIteration
        self.used += len(line)
        if self.used > row_chars(self.limits):
            raise self._too_long()
        return line

    def _decoded(self, raw: bytes) -> str:
        encoding = "utf-8" if self.encoding == "utf-8-sig" and not self.first else self.encoding
        self.first = False
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise self._not_in_encoding(raw) from None
        if encoding == "gb18030" and not raw.isascii() and _reads_as_chinese_utf8(raw):
            raise _encoding_error(
                self.name,
                Label(
                    f"第 {self.row} 行是 UTF-8 编码，而文件其余部分是 GB18030",
                    f"row {self.row} is in UTF-8, the rest of the file in GB18030",
                ),
            )
        return text

    def _not_in_encoding(self, raw: bytes) -> RosterFileError:
        if self.encoding == "gb18030":
            return _encoding_error(
                self.name,
                Label(
                    f"第 {self.row} 行既不是 UTF-8 也不是 GB18030 编码",
                    f"row {self.row} is in neither UTF-8 nor GB18030",
                ),
            )
        return _encoding_error(
            self.name,
            Label(
                f"第 {self.row} 行不是 UTF-8 编码，而文件其余部分是",
                f"row {self.row} is not in UTF-8, as the rest of the file is",
            ),
        )

    def _too_long(self) -> RosterFileError:
        columns, cells = self.limits.columns, self.limits.cell_chars
        return RosterFileError(
            Label(
                f"{self.name} 第 {self.row} 行超过 {columns:,} 个单元格、每格 {cells:,} 个字符所能容纳"
                "的长度（可在配置文件的 [limits] 中调大 columns 或 cell_chars）",
                f"{self.name} row {self.row} is longer than {columns:,} cells of {cells:,}"
                " characters can be (raise columns or cell_chars in the config file's [limits])",
            )
        )


def _reads_as_chinese_utf8(raw: bytes) -> bool:
    """Whether ``raw`` is valid UTF-8 holding Chinese: a line of a GB18030 file that is, was
    written in UTF-8 (GB18030 text is almost never valid UTF-8, let alone UTF-8 Chinese)."""
    try:
        return bool(_CHINESE.search(raw.decode("utf-8")))
    except UnicodeDecodeError:
        return False


def _encoding_error(name: str, what: Label) -> RosterFileError:
    return RosterFileError(
        Label(
            f"{name}：{what.zh}。请把整个文件另存为一种编码（Excel 的“CSV UTF-8”）或 .xlsx",
            f"{name}: {what.en}. Save the whole file in one encoding ('CSV UTF-8' in Excel)"
            " or as .xlsx",
        )
    )
