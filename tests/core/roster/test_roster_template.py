"""The template and the docs describe the same columns the importer reads."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from guanai.core.roster.columns import CHILD_COLUMNS
from guanai.core.roster.reading import open_roster
from guanai.core.roster.template import describe_format, write_template

DOCS = Path(__file__).parents[3] / "docs" / "roster.md"


def test_every_column_is_documented_with_its_headers_and_format() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for column in CHILD_COLUMNS:
        described = describe_format(column)
        line = next(
            (row for row in text.splitlines() if row.startswith(f"| {column.header.zh} |")), ""
        )
        assert column.header.en in line, column.key
        assert described.zh in line and described.en in line, column.key
        required = line.split("|")[3].strip() == "是 yes"
        assert required == column.required, column.key


def test_the_template_opens_as_an_empty_roster_with_every_column(tmp_path) -> None:
    path = write_template(tmp_path / "t.xlsx")
    roster = open_roster(path)
    assert [c.key for c in roster.columns.values()] == [c.key for c in CHILD_COLUMNS]
    assert list(roster.rows()) == []
    sheet = load_workbook(path)["留守儿童"]
    id_column = [c.key for c in CHILD_COLUMNS].index("child.id_number") + 1
    letter = sheet.cell(1, id_column).column_letter
    assert sheet.column_dimensions[letter].number_format == "@", "ID numbers typed as text"
