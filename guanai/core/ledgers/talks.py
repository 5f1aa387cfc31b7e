"""谈心记录: the heart-to-heart talks held in the term, one row per talk record card.

A talk is a step of the talk plugin's type, or any other step that fills in the same record
card: the welcome-back week's first talk (开学首次谈心) is a talk too (:func:`talk_steps`).
The sheet is a record sheet (:mod:`guanai.core.ledgers.record_sheets`): only the card's fields
the talk plugin declares public are read, so its notes and follow-up never reach the file, and
a plugin that changes the talk card changes this sheet with it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.ledgers.record_sheets import RecordSheet, public_columns

TITLE = "谈心记录"
TALK = "talk"  # the activity type of the built-in talks plugin (guanai/plugins/talks.py)


def talk_steps(registry: ActivityRegistry) -> dict[tuple[str, str], str]:
    """(activity type, step) -> the step's Chinese title, for every step that is a talk: the
    talk type's steps and every other step whose record card is the talk card."""
    if TALK not in registry:
        return {}
    cards = {step.record for step in registry.get(TALK).steps}
    return {
        (name, step.name): step.title.zh
        for name in registry
        for step in registry.get(name).steps
        if name == TALK or step.record in cards
    }


def talk_sheet(registry: ActivityRegistry) -> RecordSheet:
    steps = talk_steps(registry)
    return RecordSheet(TITLE, steps, public_columns(registry, steps), "谈心类型", "谈心教师")


def is_talk(registry: ActivityRegistry) -> ColumnElement[bool]:
    """True for the tasks that are talks (:func:`talk_steps`)."""
    return RecordSheet(TITLE, talk_steps(registry), ()).holds()
