"""The roster's columns: one definition shared by the template, import and export.

A header may be written in Chinese or English (学号 or "Student no."). Each column says which
field of the record it fills (``child.name``, ``father.phone``, ``guardian.age``), how a cell
is parsed and checked, whether it is required, and whether it is a private contact detail that
restricted roles see masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from guanai.core.i18n import Label
from guanai.core.roster.checks import (
    CellError,
    calendar_date,
    code,
    mobile_phone,
    phone,
    resident_id,
)
from guanai.core.text import half_width
from guanai.core.vocabulary import (
    CARE_CATEGORIES,
    ENROLMENT,
    FIVE_CLEARS,
    GENDERS,
    GUARDIAN_RELATIONS,
    LEFT_BEHIND_TYPES,
    Vocabulary,
)


class Kind(StrEnum):
    TEXT = "text"
    CODE = "code"  # a student no. or teacher code: full-width read as ASCII, no spaces
    DATE = "date"
    ID_NUMBER = "id_number"
    MOBILE = "mobile"
    PHONE = "phone"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"  # one code of a vocabulary
    CHOICES = "choices"  # several codes, separated by 、 , ; or spaces


_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", ""}
_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@dataclass(frozen=True)
class Column:
    key: str  # "<entity>.<field>": entity is child, father, mother, guardian or pairing
    header: Label
    kind: Kind = Kind.TEXT
    required: bool = False
    private: bool = False
    vocabulary: Vocabulary | None = None
    max_length: int = 100
    example: str = ""
    aliases: tuple[str, ...] = ()  # other headers a school's own sheet gives the column

    @property
    def entity(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def field(self) -> str:
        return self.key.split(".", 1)[1]

    def parse(self, raw: Any) -> Any:
        """The stored value of a cell (None when empty), or :class:`CellError` with the reason."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise CellError(Label("必填项为空", "required but empty"))
            return [] if self.kind is Kind.CHOICES else None
        return _PARSERS[self.kind](self, raw)

    def render(self, value: Any) -> Any:
        """A stored value as a cell shows it: labels in Chinese, dates as dates."""
        if value is None:
            return None
        if self.kind is Kind.CHOICE and self.vocabulary is not None:
            return self.vocabulary.label(value).zh
        if self.kind is Kind.CHOICES and self.vocabulary is not None:
            return "、".join(self.vocabulary.label(code).zh for code in value) or None
        if self.kind is Kind.BOOLEAN:
            return "是" if value else "否"
        return value


def _text(column: Column, raw: Any) -> str:
    text = str(raw).strip()
    if len(text) > column.max_length:
        raise CellError(
            Label(f"超过 {column.max_length} 个字", f"longer than {column.max_length} characters")
        )
    return text


def _code(column: Column, raw: Any) -> str:
    return _text(column, code(str(raw)))


def _integer(column: Column, raw: Any) -> int:
    if isinstance(raw, str):
        raw = half_width(raw)
    try:
        value = float(raw) if not isinstance(raw, bool) else None
    except ValueError:
        value = None
    # "66.5" is not a whole number, and "1e400" (infinity) or "nan" is no number at all.
    if value is None or not value.is_integer():
        raise CellError(Label("应为整数", "must be a whole number"))
    number = int(value)
    if not 0 <= number <= 150:
        raise CellError(Label("数值超出范围", "out of range"))
    return number


def _boolean(column: Column, raw: Any) -> bool:
    text = half_width(str(raw)).strip().lower()
    if isinstance(raw, bool):
        return raw
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(Label("应为“是”或“否”", "must be yes or no"))


def _choice(column: Column, raw: Any) -> str:
    assert column.vocabulary is not None
    code = column.vocabulary.parse(str(raw))
    if code is None:
        choices = column.vocabulary.choices()
        raise CellError(Label(f"应为以下之一：{choices.zh}", f"must be one of: {choices.en}"))
    return code


def _choices(column: Column, raw: Any) -> list[str]:
    codes = []
    for part in _SEPARATORS.split(str(raw).strip()):
        if part:
            code = _choice(column, part)
            if code not in codes:
                codes.append(code)
    return codes


_PARSERS: dict[Kind, Callable[[Column, Any], Any]] = {
    Kind.TEXT: _text,
    Kind.CODE: _code,
    Kind.DATE: lambda column, raw: calendar_date(raw),
    Kind.ID_NUMBER: lambda column, raw: resident_id(str(raw)),
    Kind.MOBILE: lambda column, raw: mobile_phone(str(raw)),
    Kind.PHONE: lambda column, raw: phone(str(raw)),
    Kind.INTEGER: _integer,
    Kind.BOOLEAN: _boolean,
    Kind.CHOICE: _choice,
    Kind.CHOICES: _choices,
}


def _parent_columns(relation: str, zh: str, en: str) -> list[Column]:
    return [
        Column(
            f"{relation}.name",
            Label(f"{zh}姓名", f"{en}'s name"),
            example="张建国" if relation == "father" else "李秀英",
        ),
        Column(
            f"{relation}.phone",
            Label(f"{zh}电话", f"{en}'s phone"),
            Kind.MOBILE,
            private=True,
            example="13800138000",
        ),
        Column(
            f"{relation}.work_city",
            Label(f"{zh}务工城市", f"{en}'s work city"),
            example="广东省东莞市",
        ),
        Column(
            f"{relation}.work_unit",
            Label(f"{zh}工作单位", f"{en}'s work unit"),
            max_length=200,
            example="东莞某电子厂",
        ),
        Column(
            f"{relation}.unit_address",
            Label(f"{zh}单位地址", f"{en}'s work address"),
            private=True,
            max_length=300,
        ),
        Column(
            f"{relation}.unit_phone",
            Label(f"{zh}单位电话", f"{en}'s work phone"),
            Kind.PHONE,
            private=True,
        ),
    ]


CHILD_COLUMNS: tuple[Column, ...] = (
    Column("child.student_no", Label("学号", "Student no."), Kind.CODE, required=True, max_length=40, example="20260101"),
    Column("child.name", Label("姓名", "Name"), required=True, example="张小明"),
    Column("child.gender", Label("性别", "Gender"), Kind.CHOICE, required=True, vocabulary=GENDERS, example="男"),
    Column("child.birth_date", Label("出生日期", "Birth date"), Kind.DATE, required=True, example="2017-05-12"),
    Column("child.id_number", Label("身份证号", "ID number"), Kind.ID_NUMBER, private=True),
    Column("child.class", Label("班级", "Class"), required=True, max_length=60, example="三年级1班"),
    Column("child.enrolment_status", Label("学籍状态", "Enrolment status"), Kind.CHOICE, vocabulary=ENROLMENT, example="在读"),
    Column("child.left_behind_type", Label("留守类型", "Left-behind type"), Kind.CHOICE, required=True, vocabulary=LEFT_BEHIND_TYPES, example="父母均外出"),
    Column("child.left_behind_since", Label("留守起始日期", "Left behind since"), Kind.DATE, example="2022-02-01"),
    Column("child.home_address", Label("家庭住址", "Home address"), private=True, max_length=300, example="某县某镇某村3组"),
    *_parent_columns("father", "父亲", "Father"),
    *_parent_columns("mother", "母亲", "Mother"),
    Column("guardian.name", Label("监护人姓名", "Guardian's name"), required=True, example="张大山"),
    Column("guardian.relation", Label("监护人关系", "Guardian's relation"), Kind.CHOICE, required=True, vocabulary=GUARDIAN_RELATIONS, example="祖父"),
    Column("guardian.occupation", Label("监护人职业", "Guardian's occupation"), example="务农"),
    Column("guardian.address", Label("监护人住址", "Guardian's address"), private=True, max_length=300),
    Column("guardian.phone", Label("监护人电话", "Guardian's phone"), Kind.PHONE, required=True, private=True, example="13900139000"),
    Column("guardian.health", Label("监护人健康状况", "Guardian's health"), private=True, max_length=200, example="良好"),
    Column("guardian.age", Label("监护人年龄", "Guardian's age"), Kind.INTEGER, example="66"),
    Column("child.care_categories", Label("关爱类别", "Care categories"), Kind.CHOICES, vocabulary=CARE_CATEGORIES, example="学业困难、心理需求"),
    Column("child.key_target", Label("重点帮扶对象", "Key assistance target"), Kind.BOOLEAN, example="否"),
    Column("child.individual_plan", Label("个别教育方案", "Individual plan"), private=True, max_length=2000),
    Column("child.five_clears", Label("五个清楚", "Five clears"), Kind.CHOICES, vocabulary=FIVE_CLEARS, example="基本情况清楚、监护人情况清楚"),
    Column("pairing.teacher", Label("帮扶教师工号", "Pairing teacher code"), Kind.CODE, max_length=40),
    Column("pairing.buddy", Label("学习帮手学号", "Buddy's student no."), Kind.CODE, max_length=40),
    Column("pairing.buddy_name", Label("学习帮手姓名", "Buddy's name"), max_length=100, example="王小红", aliases=("学习帮手", "Buddy")),
    Column("child.notes", Label("备注", "Notes"), private=True, max_length=2000),
)  # fmt: skip


def header_key(header: str) -> str:
    """A header as it is matched: spaces collapsed, full-width as ASCII, case ignored."""
    return " ".join(half_width(str(header)).split()).casefold()


def header_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Each column by every name a header may give it (see :func:`header_key`)."""
    return {
        header_key(name): column
        for column in columns
        for name in (column.header.zh, column.header.en, column.key, *column.aliases)
    }


BY_HEADER = header_index(CHILD_COLUMNS)


def column_for(header: str) -> Column | None:
    """The column a header names, in Chinese, in English or by its key; None if unknown."""
    return BY_HEADER.get(header_key(header))
