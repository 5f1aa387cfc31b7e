"""The coded values of a child's record, each with its Chinese and English label.

The database stores codes (``both``, ``poverty``); people read and type labels in either
language (父母均外出, "both parents away"). :meth:`Vocabulary.parse` accepts a code, a
label in either language or another name people use for it (an alias), so a roster filled in
Chinese or in English imports the same.
"""

from __future__ import annotations

from collections.abc import Iterator

from guanai.core.i18n import Label


class Vocabulary:
    """An ordered set of codes with bilingual labels."""

    def __init__(
        self, name: Label, terms: dict[str, Label], aliases: dict[str, str] | None = None
    ) -> None:
        """``aliases``: other names accepted for a code (协调员 for 关爱办), name to code."""
        self.name = name
        self.terms = terms
        self.aliases = aliases or {}
        self._lookup = {
            key.casefold(): code
            for code, label in terms.items()
            for key in (code, label.zh, label.en)
        } | {alias.casefold(): code for alias, code in self.aliases.items()}

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms)

    def __contains__(self, code: object) -> bool:
        return code in self.terms

    def label(self, code: str) -> Label:
        return self.terms[code]

    def parse(self, text: str) -> str | None:
        """The code for ``text`` (a code or a label in either language), or None."""
        return self._lookup.get(text.strip().casefold())

    def choices(self) -> Label:
        """All labels, for error messages and templates."""
        return Label(
            "、".join(label.zh for label in self.terms.values()),
            ", ".join(label.en for label in self.terms.values()),
        )

    def spellings(self) -> Label:
        """Every code with its Chinese names (label and aliases), in both languages at once:
        for an error about a value typed on the command line, where either is accepted."""
        chinese = {
            code: "/".join([label.zh, *(alias for alias, to in self.aliases.items() if to == code)])
            for code, label in self.terms.items()
        }
        return Label(
            "、".join(f"{names}（{code}）" for code, names in chinese.items()),
            ", ".join(f"{code} ({names})" for code, names in chinese.items()),
        )


GENDERS = Vocabulary(
    Label("性别", "gender"), {"male": Label("男", "male"), "female": Label("女", "female")}
)

ENROLMENT = Vocabulary(
    Label("学籍状态", "enrolment status"),
    {
        "enrolled": Label("在读", "enrolled"),
        "transferred": Label("转出", "transferred"),
        "graduated": Label("毕业", "graduated"),
        "suspended": Label("休学", "suspended"),
        "dropped_out": Label("辍学", "dropped out"),
    },
)

LEFT_BEHIND_TYPES = Vocabulary(
    Label("留守类型", "left-behind type"),
    {
        "both": Label("父母均外出", "both parents away"),
        "father": Label("父亲外出", "father away"),
        "mother": Label("母亲外出", "mother away"),
    },
)

CARE_CATEGORIES = Vocabulary(
    Label("关爱类别", "care categories"),
    {
        "poverty": Label("家庭困难", "poverty"),
        "study": Label("学业困难", "study"),
        "psychological": Label("心理需求", "psychological"),
        "health": Label("身体健康", "health"),
        "safety": Label("安全", "safety"),
    },
)

FIVE_CLEARS = Vocabulary(
    Label("五个清楚", "five clears"),
    {
        "situation": Label("基本情况清楚", "situation"),
        "parents_work": Label("父母务工情况清楚", "parents' work"),
        "guardian": Label("监护人情况清楚", "guardian"),
        "study": Label("学习情况清楚", "study"),
        "feelings": Label("思想情感清楚", "thinking and feelings"),
    },
)

GUARDIAN_RELATIONS = Vocabulary(
    Label("与儿童关系", "relation to the child"),
    {
        "grandfather": Label("祖父", "grandfather"),
        "grandmother": Label("祖母", "grandmother"),
        "maternal_grandfather": Label("外祖父", "maternal grandfather"),
        "maternal_grandmother": Label("外祖母", "maternal grandmother"),
        "father": Label("父亲", "father"),
        "mother": Label("母亲", "mother"),
        "relative": Label("其他亲属", "other relative"),
        "other": Label("其他", "other"),
    },
)

ROLES = Vocabulary(
    Label("角色", "role"),
    {
        "coordinator": Label("关爱办", "coordinator"),
        "head_teacher": Label("班主任", "head teacher"),
        "teacher": Label("教师", "teacher"),
        "bureau": Label("教育局", "bureau viewer"),
    },
    aliases={"协调员": "coordinator", "关爱协调员": "coordinator"},
)
