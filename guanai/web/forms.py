"""A step's record form on a phone: its inputs built from the step's fields, and the record
read back from what the teacher sent.

Each :class:`~guanai.core.activity.Field` becomes one plain HTML input that works in
WeChat's built-in browser: a line of text, a text area, a date picker, a number pad, yes/no
or one of the choices as radio buttons (large touch targets; a checkbox could not tell "no"
from "not answered"). The browser validates nothing (the form is ``novalidate`` and no input
is ``required``): every check and every message is the service's, as for ``guanai complete``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from guanai.core.activity import DayOffError, Field, FieldKind, RecordProblems
from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label, Language

CSRF_FIELD = "_csrf"
DAY_OFF_FIELD = "_day_off_ok"
"""The form's own inputs: a step's field names start with a letter, so none is named so."""
YES, NO = "yes", "no"
INPUT_TYPES = {FieldKind.TEXT: "text", FieldKind.DATE: "date", FieldKind.INTEGER: "number"}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class FormInput:
    """One field as the template draws it, in the page's language."""

    name: str
    label: str
    widget: str  # "input", "textarea" or "radios"
    input_type: str  # for "input": text, date or number
    required: bool
    value: str
    options: tuple[Option, ...]
    error: str | None
    max_length: int | None


def _options(field: Field, value: str, language: Language) -> tuple[Option, ...]:
    if field.kind is FieldKind.BOOLEAN:
        answers = ((YES, Label("是", "yes")), (NO, Label("否", "no")))
        return tuple(Option(v, label.get(language), v == value) for v, label in answers)
    return tuple(Option(choice, choice, choice == value) for choice in field.choices)


def form_inputs(
    fields: tuple[Field, ...],
    values: Mapping[str, str],
    errors: Mapping[str, Label],
    language: Language,
) -> list[FormInput]:
    """The inputs of ``fields``, holding what the teacher typed (``values``) and each
    refused field's reason beside it (``errors``)."""
    inputs = []
    for field in fields:
        value = values.get(field.name, "")
        error = errors.get(field.name)
        if field.kind in (FieldKind.BOOLEAN, FieldKind.CHOICE):
            widget = "radios"
        elif field.kind is FieldKind.LONG_TEXT:
            widget = "textarea"
        else:
            widget = "input"
        inputs.append(
            FormInput(
                field.name,
                field.label.get(language),
                widget,
                INPUT_TYPES.get(field.kind, "text"),
                field.required,
                value,
                _options(field, value, language),
                error.get(language) if error is not None else None,
                field.max_length,
            )
        )
    return inputs


def typed_values(fields: tuple[Field, ...], form: Mapping[str, object]) -> dict[str, str]:
    """What the teacher sent for each field of the step, as text; an unanswered one is
    absent. Anything else in the form is not the record's."""
    values = {}
    for field in fields:
        sent = form.get(field.name)
        if isinstance(sent, str):
            values[field.name] = sent
    return values


@dataclass(frozen=True)
class Refusal:
    """Why a record was not saved, as the form shows it: a message above the form, each
    refused field's reason beside it, and whether a day off may be confirmed."""

    message: str
    reasons: dict[str, Label]
    day_off: bool


def refusal(error: GuanaiError, language: Language) -> Refusal:
    """How the form shows ``error`` raised by the service's ``complete``: the same message
    ``guanai complete`` prints, in the page's language."""
    if isinstance(error, RecordProblems):
        return Refusal(error.label.get(language), error.reasons(), False)
    if isinstance(error, DayOffError):
        reason = Label("不是上学日", "is not a school day")
        return Refusal(error.label.get(language), dict.fromkeys(error.fields, reason), True)
    return Refusal(error.label.get(language), {}, False)
