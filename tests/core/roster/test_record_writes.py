"""The one write path: manual edits parse like roster cells and keep the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from roster_samples import NOW, child, import_file, write_roster
from sqlalchemy import select, update

from guanai.core.db import transaction
from guanai.core.errors import NotFoundError
from guanai.core.models import Child, Guardian, Pairing, RecordChange
from guanai.core.records import RecordEditError, update_child
from guanai.core.roster.stored import load_cards

LATER = NOW + timedelta(days=3)
FIRST = child(1)["child.student_no"]


@pytest.fixture
def imported(engine, school, tmp_path) -> int:
    rows = [child(n) for n in range(1, 5)]
    import_file(engine, write_roster(tmp_path / "r.csv", rows), school)
    return school


def edit(engine, school: int, values: dict[str, str], student_no: str = FIRST):
    with transaction(engine) as session:
        return update_child(
            session,
            school,
            student_no,
            values,
            actor="班主任",
            source="guanai child set",
            now=LATER,
        )


def history(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(
                    RecordChange.field,
                    RecordChange.old_value,
                    RecordChange.new_value,
                    RecordChange.changed_by,
                    RecordChange.source,
                )
                .where(RecordChange.changed_by == "班主任")
                .order_by(RecordChange.id)
            )
        ]


def test_an_edit_by_chinese_or_english_header_or_key_keeps_the_history(engine, imported) -> None:
    summary = edit(
        engine,
        imported,
        {"监护人电话": "139 0013 9000", "Home address": "新村5组", "child.key_target": "是"},
    )
    assert summary.updated == 1 and summary.changes == 3
    assert sorted(history(engine)) == sorted(
        [
            ("guardian.phone", "13700000001", "13900139000", "班主任", "guanai child set"),
            ("child.home_address", "某县某镇某村1组", "新村5组", "班主任", "guanai child set"),
            ("child.key_target", "false", "true", "班主任", "guanai child set"),
        ]
    )
    with engine.connect() as connection:
        row = connection.execute(
            select(Child.updated_by, Child.key_target).where(Child.student_no == FIRST)
        ).one()
    assert row.updated_by == "班主任" and row.key_target is True


def test_the_same_value_again_changes_nothing(engine, imported) -> None:
    summary = edit(engine, imported, {"监护人电话": "13700000001", "性别": "男"})
    assert summary.changes == 0 and summary.unchanged == 1
    assert history(engine) == []


def test_an_empty_value_clears_the_field_or_restores_its_default(engine, imported) -> None:
    edit(engine, imported, {"重点帮扶对象": "是"})
    edit(engine, imported, {"备注": "", "重点帮扶对象": "", "关爱类别": "", "母亲电话": ""})
    with transaction(engine) as session:
        card = load_cards(session, imported, [FIRST])[FIRST]
    assert card.values["child.key_target"] is False
    assert card.values["child.care_categories"] == []
    assert card.values["mother.phone"] is None


def test_bad_values_are_refused_naming_each_field_without_the_value(engine, imported) -> None:
    with pytest.raises(RecordEditError) as raised:
        edit(engine, imported, {"监护人电话": "12345", "出生日期": "昨天"})
    message = raised.value.label
    assert "「监护人电话」" in message.zh and "「出生日期」" in message.zh
    assert "12345" not in message.zh + message.en
    assert history(engine) == []


def test_an_unknown_field_is_named_with_the_known_ones(engine, imported) -> None:
    with pytest.raises(RecordEditError) as raised:
        edit(engine, imported, {"鞋码": "33"})
    assert "鞋码" in raised.value.label.zh and "监护人电话" in raised.value.label.zh


def test_an_id_number_must_match_the_stored_birth_date_and_be_nobody_elses(
    engine, imported
) -> None:
    other = child(2)
    with pytest.raises(RecordEditError, match="出生日期"):
        edit(engine, imported, {"身份证号": other["child.id_number"]})
    with pytest.raises(RecordEditError, match="另一名学生"):
        edit(
            engine,
            imported,
            {"身份证号": other["child.id_number"], "出生日期": other["child.birth_date"]},
        )


def test_the_student_no_cannot_change_and_pairings_are_not_cleared_here(engine, imported):
    with pytest.raises(RecordEditError, match="学号"):
        edit(engine, imported, {"学号": "1"})
    with pytest.raises(RecordEditError, match="guanai pair"):
        edit(engine, imported, {"帮扶教师工号": ""})


def test_a_pairing_set_by_hand_starts_today(engine, imported) -> None:
    buddy = child(3)["child.student_no"]  # same class as child 1
    summary = edit(engine, imported, {"帮扶教师工号": "T003", "学习帮手学号": buddy})
    assert summary.changes == 2
    with engine.connect() as connection:
        pairing = connection.execute(select(Pairing)).one()
    assert pairing.started_on == LATER.date() and pairing.ended_on is None
    with pytest.raises(RecordEditError, match="同班"):
        edit(engine, imported, {"学习帮手学号": child(2)["child.student_no"]})


def test_an_unknown_student_is_not_found(engine, imported) -> None:
    with pytest.raises(NotFoundError):
        edit(engine, imported, {"备注": "x"}, student_no="nobody")


def test_labels_stored_by_older_versions_compare_equal_to_their_codes(
    engine, imported, tmp_path
) -> None:
    with transaction(engine) as session:
        session.execute(update(Child).values(gender="男"))  # as guanai demo stores it
        session.execute(update(Guardian).values(relation="祖父"))
    rows = [child(n, **{"child.gender": "男"}) for n in range(1, 5)]
    report = import_file(engine, write_roster(tmp_path / "again.csv", rows), imported)
    assert report.changes == 0, "男 and 祖父 stored are the same as male and grandfather parsed"
