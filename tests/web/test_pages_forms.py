"""A step's fields as phone inputs, the record read back from a form, and the page's
language from the browser's Accept-Language."""

from __future__ import annotations

import pytest

from guanai.core.activity import DayOffError, Field, FieldKind, RecordProblems, Role, Step
from guanai.core.i18n import Label
from guanai.web.forms import form_inputs, refusal, typed_values
from guanai.web.language import preferred

STEP = Step(
    "visit",
    Label("家访", "Home visit"),
    Role.HEAD_TEACHER,
    record=(
        Field("date", Label("家访日期", "Date of visit"), FieldKind.DATE),
        Field("place", Label("地点", "Place")),
        Field("notes", Label("记录", "Notes"), FieldKind.LONG_TEXT, required=False),
        Field("guardians", Label("到场人数", "Guardians"), FieldKind.INTEGER),
        Field("written", Label("信已写好", "Letter written"), FieldKind.BOOLEAN),
        Field("who", Label("对象", "Who"), FieldKind.CHOICE, choices=("父亲", "母亲")),
    ),
)


def test_each_kind_of_field_is_its_own_kind_of_input():
    inputs = {i.name: i for i in form_inputs(STEP.record, {}, {}, "zh")}
    assert [(i.widget, i.input_type) for i in inputs.values()] == [
        ("input", "date"),
        ("input", "text"),
        ("textarea", "text"),
        ("input", "number"),
        ("radios", "text"),
        ("radios", "text"),
    ]
    assert [(o.value, o.label) for o in inputs["written"].options] == [("yes", "是"), ("no", "否")]
    assert [o.value for o in inputs["who"].options] == ["父亲", "母亲"]
    assert not inputs["notes"].required and inputs["date"].required


def test_what_was_typed_and_each_fields_reason_are_kept_in_the_pages_language():
    values = {"place": "家中", "written": "no", "who": "母亲"}
    errors = {"date": Label("应为日期", "must be a date")}
    inputs = {i.name: i for i in form_inputs(STEP.record, values, errors, "en")}
    assert inputs["place"].value == "家中" and inputs["date"].error == "must be a date"
    assert [o.checked for o in inputs["written"].options] == [False, True]
    assert [o.checked for o in inputs["who"].options] == [False, True]
    assert inputs["written"].label == "Letter written" and inputs["place"].error is None


def test_the_record_holds_only_the_steps_fields_that_were_sent():
    form = {"place": "家中", "_csrf": "x", "_day_off_ok": "yes", "other": "1", "date": ""}
    assert typed_values(STEP.record, form) == {"place": "家中", "date": ""}


def test_a_refusal_is_the_services_message_and_its_reasons_by_field():
    with pytest.raises(RecordProblems) as raised:
        STEP.validate_record({"place": "家中", "guardians": "两个", "written": "no", "who": "母亲"})
    shown = refusal(raised.value, "zh")
    assert shown.message == raised.value.label.zh and not shown.day_off
    assert set(shown.reasons) == {"date", "guardians"}
    day_off = refusal(DayOffError(Label("周六", "a Saturday"), ("date",)), "en")
    assert day_off.day_off and day_off.message == "a Saturday" and set(day_off.reasons) == {"date"}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("", "zh"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en;q=0.8,zh-TW;q=0.9", "zh"),
        ("fr-FR,fr;q=0.9,en;q=0.5", "en"),
        ("fr-FR", "zh"),
        ("en;q=nonsense, zh;q=0.1", "zh"),
    ],
)
def test_english_only_when_the_browser_ranks_it_above_chinese(header: str, language: str):
    assert preferred(header) == language
