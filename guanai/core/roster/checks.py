"""Checks for the values a roster cell holds: resident ID numbers, phone numbers, dates.

Each returns the normalised value or raises :class:`CellError` with a bilingual reason that
never repeats the value itself (it may be private). Each reads full-width digits, letters and
punctuation as ASCII first (:func:`guanai.core.text.half_width`), as a Chinese input method
types them: ``１３８００１３８０００`` is the phone 13800138000, whoever calls.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from guanai.core.i18n import Label
from guanai.core.text import half_width


class CellError(ValueError):
    def __init__(self, reason: Label) -> None:
        super().__init__(reason.en)
        self.reason = reason


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def id_check_digit(first17: str) -> str:
    """The check character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def code(text: str) -> str:
    """A student no. or teacher code as stored and looked up: full-width characters as ASCII,
    no spaces (２０２６２２０３１ and 202622031 are one student no.)."""
    return "".join(half_width(text).split())


def resident_id(text: str) -> str:
    """An 18-character resident ID number with a valid birth date and check character."""
    number = code(text).upper()
    if not _ID_SHAPE.match(number):
        raise CellError(
            Label(
                "身份证号应为 18 位（末位可为 X）",
                "an ID number has 18 characters (the last may be X)",
            )
        )
    try:
        birth_date_of(number)
    except ValueError:
        raise CellError(
            Label("身份证号中的出生日期无效", "the birth date inside the ID number is invalid")
        ) from None
    if id_check_digit(number[:17]) != number[17]:
        raise CellError(Label("身份证号校验位不符", "the ID number's check digit is wrong"))
    return number


def birth_date_of(id_number: str) -> date:
    """The birth date inside an ID number (characters 7-14, YYYYMMDD); ValueError if invalid."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def _digits(text: str) -> str:
    cleaned = re.sub(r"[\s\-()]", "", half_width(text))
    return cleaned.removeprefix("+86").removeprefix("0086")


def mobile_phone(text: str) -> str:
    """A mainland mobile number: 11 digits starting 13-19 (+86 and separators allowed)."""
    number = _digits(text)
    if not _MOBILE.match(number):
        raise CellError(
            Label("手机号应为 11 位、以 13–19 开头", "a mobile number has 11 digits starting 13-19")
        )
    return number


def phone(text: str) -> str:
    """A mobile number, or a landline with its area code (e.g. 0731-84561234)."""
    number = _digits(text)
    if _MOBILE.match(number) or _LANDLINE.match(number):
        return number
    raise CellError(
        Label(
            "电话应为手机号或带区号的座机号",
            "a phone must be a mobile or a landline with its area code",
        )
    )


# 2016-03-05, 2016/3/5, 2016.3.5 (one separator throughout), 2016年3月5日, 20160305; a time of
# day after the date (2016-03-05 00:00:00, as some systems export dates) is ignored. Matched with
# regular expressions rather than strptime, which costs ten times more at roster scale.
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})\s*(年)\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$"),
    re.compile(r"^(\d{4})()(\d{2})(\d{2})$"),
)


def calendar_date(value: object) -> date:
    """A date from a cell: an Excel date, or text as 2016-03-05, 2016/3/5 or 2016年3月5日
    (full-width digits too: ２０１６年３月５日)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = half_width(str(value)).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, _, month, day = match.groups()
            try:
                return date(int(year), int(month), int(day))
            except ValueError:
                break
    raise CellError(Label("日期格式应为 2016-03-05", "a date must look like 2016-03-05"))
