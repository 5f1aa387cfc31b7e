"""Clean text in the roster: a cell or an edit holding a control character is refused, naming
its row and column (or its field), on both databases; multi-line columns keep line breaks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from roster_samples import NOW, child, import_file, snapshot, write_roster
from sqlalchemy import select

from guanai.core.db import transaction
from guanai.core.models import Child
from guanai.core.records import RecordEditError, update_child
from guanai.core.roster.importer import RosterRejected
from guanai.core.roster.stored import load_cards

FIRST = child(1)["child.student_no"]


def edit(engine, school: int, values: dict[str, str]) -> None:
    with transaction(engine) as session:
        update_child(
            session,
            school,
            FIRST,
            values,
            actor="班主任",
            source="guanai child set",
            now=NOW + timedelta(days=1),
        )


def test_control_characters_in_any_column_are_refused_by_row_and_column(
    engine, school, tmp_path
) -> None:
    rows = [
        child(1),
        child(2, **{"child.name": "王\x00五"}),  # PostgreSQL cannot store a NUL
        child(3, **{"child.student_no": "2026\x1b[2J0003"}),
        child(4, **{"guardian.name": "张\u202e山"}),  # a right-to-left override
        child(5, **{"child.home_address": "某县\n某村"}),  # a one-line column
    ]
    path = write_roster(tmp_path / "r.csv", rows)
    before = snapshot(engine)
    with pytest.raises(RosterRejected) as raised:
        import_file(engine, path, school)
    found = {(p.row, p.column): p.message for p in raised.value.report.problems}
    assert set(found) == {(3, "姓名"), (4, "学号"), (5, "监护人姓名"), (6, "家庭住址")}
    assert found[3, "姓名"].zh == (
        "第 3 行，「姓名」：含有不允许的字符 U+0000（控制字符或不可见的格式字符）"
    )
    assert "U+001B" in found[4, "学号"].en and "U+202E" in found[5, "监护人姓名"].en
    assert found[6, "家庭住址"].en == (
        "row 6, column '家庭住址': must be one line, without line breaks or tabs"
    )
    assert snapshot(engine) == before, "a refused import leaves the database as it was"


def test_notes_and_the_individual_plan_keep_their_lines_and_tabs(engine, school, tmp_path):
    notes = "第一行\r\n\t第二行"
    rows = [child(1, **{"child.notes": notes, "child.individual_plan": "一、\n二、"})]
    import_file(engine, write_roster(tmp_path / "r.csv", rows), school)
    with transaction(engine) as session:
        card = load_cards(session, school, [FIRST])[FIRST]
    assert card.values["child.notes"] == "第一行\n\t第二行", "a Windows line end is one LF"
    assert card.values["child.individual_plan"] == "一、\n二、"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("姓名", "王\x00五", "U+0000"),
        ("Name", "王\x1b]0;pwned\x07五", "U+001B"),
        ("监护人姓名", "张\x9b山", "U+009B"),
        ("家庭住址", "某县\t某村", "one line"),
    ],
)
def test_an_edit_with_a_control_character_is_refused_naming_the_field(
    engine, school, tmp_path, field: str, value: str, reason: str
) -> None:
    import_file(engine, write_roster(tmp_path / "r.csv", [child(1)]), school)
    before = snapshot(engine)
    with pytest.raises(RecordEditError) as raised:
        edit(engine, school, {field: value})
    message = raised.value.label
    assert f"「{field}」" in message.zh and f"'{field}'" in message.en and reason in message.en
    assert snapshot(engine) == before
    with transaction(engine) as session:
        name = session.scalar(select(Child.name).where(Child.student_no == FIRST))
    assert name == child(1)["child.name"]


def test_an_edit_of_the_notes_may_span_lines(engine, school, tmp_path) -> None:
    import_file(engine, write_roster(tmp_path / "r.csv", [child(1)]), school)
    edit(engine, school, {"备注": "喜欢画画\n\t周末想妈妈"})
    with transaction(engine) as session:
        card = load_cards(session, school, [FIRST])[FIRST]
    assert card.values["child.notes"] == "喜欢画画\n\t周末想妈妈"
