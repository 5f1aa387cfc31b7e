"""Cell checks the roster relies on: the date forms Chinese spreadsheets use, ID numbers, and
full-width digits and letters read as ASCII before every check."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from roster_samples import full_width, id_number

from guanai.core.roster.checks import (
    CellError,
    birth_date_of,
    calendar_date,
    code,
    mobile_phone,
    phone,
    resident_id,
)
from guanai.core.roster.columns import column_for


@pytest.mark.parametrize(
    "text",
    ["2016-03-05", "2016-3-5", "2016/3/5", "2016.03.05", "2016年3月5日", "2016 年 3 月 5 日",
     "20160305", "2016-03-05 00:00:00", " 2016-03-05 "],
)  # fmt: skip
def test_the_date_forms_of_chinese_spreadsheets(text) -> None:
    assert calendar_date(text) == date(2016, 3, 5)


@pytest.mark.parametrize("text", ["2016-3/5", "2016-02-30", "3/5/2016", "2016", "昨天", "1.2E+5"])
def test_what_is_not_a_date(text) -> None:
    with pytest.raises(CellError):
        calendar_date(text)


def test_excel_dates_are_taken_as_they_are() -> None:
    assert calendar_date(datetime(2016, 3, 5, 0, 0)) == date(2016, 3, 5)


def test_an_id_number_carries_its_birth_date_and_check_digit() -> None:
    number = id_number(date(2016, 2, 29), 7)
    assert resident_id(number.lower()) == number and birth_date_of(number) == date(2016, 2, 29)
    bad_date = number[:10] + "0230" + number[14:]
    with pytest.raises(CellError, match="birth date"):
        resident_id(bad_date)


@pytest.mark.parametrize("text", ["66.5", "1e400", "nan", "六十", "inf"])
def test_an_age_is_a_whole_number(text) -> None:
    with pytest.raises(CellError):
        column_for("监护人年龄").parse(text)


def test_an_age_typed_as_a_number_is_read() -> None:
    assert column_for("监护人年龄").parse("66") == 66 == column_for("guardian.age").parse(66.0)


# --- full-width characters, as a Chinese input method types them ----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "２０１６－０３－０５",
        "２０１６／３／５",
        "２０１６．３．５",
        "２０１６年３月５日",
        "２０１６０３０５",
    ],
)
def test_a_date_typed_in_full_width_digits_is_the_same_date(text) -> None:
    assert calendar_date(text) == date(2016, 3, 5)


def test_an_id_number_typed_in_full_width_is_stored_in_ascii() -> None:
    number = id_number(date(2016, 2, 29), 7)
    typed = full_width(number[:-1]) + ("ｘ" if number[-1] == "X" else full_width(number[-1]))
    assert resident_id(typed) == number
    assert resident_id("\u3000" + full_width(number) + "\u3000") == number


@pytest.mark.parametrize(
    ("check", "text", "stored"),
    [
        (mobile_phone, "１３８００１３８０００", "13800138000"),
        (mobile_phone, "＋８６　１３８－００１３－８０００", "13800138000"),
        (phone, "０７３１－８４５６１２３４", "073184561234"),
        (phone, "（０７３１）８４５６１２３４", "073184561234"),
        (code, "２０２６２２０３１", "202622031"),
        (code, " Ｔ００１\u3000", "T001"),
    ],
)
def test_phones_and_codes_typed_in_full_width_are_stored_in_ascii(check, text, stored) -> None:
    assert check(text) == stored


@pytest.mark.parametrize(
    ("header", "text", "value"),
    [
        ("学号", "２０２６２２０３１", "202622031"),
        ("帮扶教师工号", "Ｔ００２", "T002"),
        ("学习帮手学号", "２０２６ ０００１", "20260001"),
        ("监护人年龄", "６６", 66),
        ("重点帮扶对象", "１", True),
        ("出生日期", "２０１７年５月１２日", date(2017, 5, 12)),
        ("监护人电话", "１３９００１３９０００", "13900139000"),
    ],
)
def test_every_column_of_digits_reads_full_width_before_its_check(header, text, value) -> None:
    assert column_for(header).parse(text) == value


def test_full_width_headers_name_their_columns() -> None:
    assert column_for("Ｓｔｕｄｅｎｔ ｎｏ．") is column_for("学号")
