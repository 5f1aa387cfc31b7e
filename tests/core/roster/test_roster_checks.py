"""Cell checks the roster relies on: the date forms Chinese spreadsheets use, ID numbers."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from roster_samples import id_number

from guanai.core.roster.checks import CellError, birth_date_of, calendar_date, resident_id
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
