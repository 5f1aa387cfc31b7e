"""Finding a sheet's header row, and what each header names.

Offices write headers in many ways, and each is read as what it means:

- a title above the table (某某小学留守儿童名册) is passed over: the header row is the first
  that names a known column;
- a two-row header, with 父亲 merged over the two cells 姓名 and 电话 below it, and single
  headers such as 学号 merged down over both rows, reads as 父亲姓名 and 父亲电话. The cells
  are read as values (a merged-away cell is empty), so a group header is carried right across
  the empty cells of its row; a group that begins no column's name (基本信息 over 学号 and 姓名)
  is only a banner, and its sub-headers stand alone;
- a header naming no column (序号, 备用) is ignored with a warning; two headers naming one
  column are refused, since which of them holds the value cannot be known.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from guanai.core.i18n import Label
from guanai.core.roster.columns import Column
from guanai.core.roster.file_errors import RosterFileError
from guanai.core.roster.sheet_spec import SheetSpec

HEADER_SEARCH_ROWS = 20  # rows searched for the header row
PROBLEMS_HEADER = Label("问题", "Problems")
"""The column a rejects file adds; ignored on import, so a fixed rejects file imports as is."""


def find_header(
    spec: SheetSpec, rows: Iterable[tuple[int, tuple[Any, ...]]], name: str
) -> tuple[int, tuple[str, ...]]:
    """The header: the number of its (last) row and its headers as text, in file order.

    That is the first non-empty row naming a known column, with the row below it when the two
    form a two-row header; if none of the first rows names a column, the first non-empty row
    (its unknown headers are then reported).
    """
    first: tuple[int, tuple[str, ...]] | None = None
    above: tuple[int, tuple[str, ...]] | None = None  # the row before, not yet decided on
    rows = iter(islice(rows, HEADER_SEARCH_ROWS + 1))  # + 1: the second row of a header
    while True:
        try:
            number, values = next(rows)
        except StopIteration:
            break
        except RosterFileError:  # the row below a header: reported when the rows are read
            if above is not None and _names_a_column(spec, above[1]):
                return above[0], _trimmed(above[1])
            raise
        texts = _texts(values)
        if above is not None:
            if any(texts) and above[0] == number - 1:
                merged = _two_rows(spec, above[1], texts)
                if merged is not None:
                    return number, _trimmed(merged)
            if _names_a_column(spec, above[1]):
                return above[0], _trimmed(above[1])
        above = (number, texts) if any(texts) and number <= HEADER_SEARCH_ROWS else None
        first = first or above
    if above is not None and _names_a_column(spec, above[1]):
        return above[0], _trimmed(above[1])
    if first is not None:
        return first[0], _trimmed(first[1])
    raise RosterFileError(Label(f"{name} 是空的：没有标题行", f"{name} is empty: no header row"))


def _names_a_column(spec: SheetSpec, texts: tuple[str, ...]) -> bool:
    return any(spec.column_for(text) for text in texts if text)


def _texts(values: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple("" if v is None else " ".join(str(v).split()) for v in values)


def _trimmed(headers: tuple[str, ...]) -> tuple[str, ...]:
    end = len(headers)
    while end and not headers[end - 1]:  # trailing empty cells: no header
        end -= 1
    return headers[:end]


def _two_rows(
    spec: SheetSpec, top: tuple[str, ...], sub: tuple[str, ...]
) -> tuple[str, ...] | None:
    """The headers of ``top`` over ``sub`` read as one header, or None if they are not one:
    at least one group of ``top`` must name a column with a cell of ``sub`` (父亲 + 姓名)."""
    headers: list[str] = []
    group, grouped = "", False
    for index in range(max(len(top), len(sub))):
        above = top[index] if index < len(top) else ""
        below = sub[index] if index < len(sub) else ""
        if above:
            group = above
        elif not below:
            group = ""  # an empty column ends a group
        if not below:
            headers.append(above)
            continue
        if group and spec.column_for(group + below) is not None:
            headers.append(group + below)
            grouped = True
        elif group and spec.is_group(group):
            headers.append(group + below)  # 父亲身份证号: an unknown column, not the child's
        else:
            headers.append(below)
    return tuple(headers) if grouped else None


def checked_columns(
    spec: SheetSpec, headers: tuple[str, ...], name: str
) -> tuple[dict[str, Column], tuple[Label, ...]]:
    """Each header's column, and the warnings about ignored headers; refuses repeated
    columns, and a file without the identity column (no row of it could be matched)."""
    columns: dict[str, Column] = {}
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for header in headers:
        if not header or header.casefold() in _problems_headers():
            continue
        column = spec.column_for(header)
        if column is None:
            if header not in unknown:
                unknown.append(header)
        elif column.key in seen:
            raise RosterFileError(
                Label(
                    f"{name}：「{seen[column.key]}」与「{header}」是同一列，只能保留一个",
                    f"{name}: '{seen[column.key]}' and '{header}' are the same column; keep one",
                )
            )
        else:
            seen[column.key] = header
            columns[header] = column
    ignored = _ignored(spec, unknown, name) if unknown else None
    if spec.identity not in seen:
        missing = spec.missing_required(frozenset(seen))
        missing_zh = "」「".join(c.header.zh for c in missing)
        missing_en = "', '".join(c.header.en for c in missing)
        error = Label(
            f"{name}：缺少必填列「{missing_zh}」",
            f"{name}: missing required column(s) '{missing_en}'",
        )
        if ignored is not None:
            error = Label(f"{error.zh}；{ignored.zh}", f"{error.en}; {ignored.en}")
        raise RosterFileError(error)
    return columns, (ignored,) if ignored is not None else ()


def _ignored(spec: SheetSpec, unknown: list[str], name: str) -> Label:
    names_zh, names_en = "」「".join(unknown), "', '".join(unknown)
    known_zh = "、".join(c.header.zh for c in spec.columns)
    known_en = ", ".join(c.header.en for c in spec.columns)
    return Label(
        f"{name}：已忽略不认识的列「{names_zh}」。可用的列：{known_zh}",
        f"{name}: ignored the unknown column(s) '{names_en}'. Known columns: {known_en}",
    )


def _problems_headers() -> set[str]:
    return {
        PROBLEMS_HEADER.zh,
        PROBLEMS_HEADER.en.casefold(),
        f"{PROBLEMS_HEADER.zh} / {PROBLEMS_HEADER.en}".casefold(),
    }
