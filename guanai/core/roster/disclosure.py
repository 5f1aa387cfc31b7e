"""What one output shows of a contact card to one viewer: a value in clear, masked, or nothing.

The rules, for every file guanai writes (docs/ledgers.md explains them to users):

- private columns (``Column.private``: ID number, phones, addresses, health, individual plan,
  notes) are in an output only when it asks for contact details (``contacts``);
- a private value is shown in clear only when the output may show contact details in clear
  (``clear``) *and* the viewer sees that child in full (:func:`guanai.core.access.sees_in_full`);
  otherwise it is masked with :mod:`guanai.core.masking`;
- a bureau viewer also sees every person's name masked (张*): the child's, the parents', the
  guardian's, a buddy's who is not on the roster. A bureau viewer never sees the child in full, so never a private value in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from guanai.core.access import Viewer
from guanai.core.masking import mask_id_number, mask_name, mask_phone, mask_text
from guanai.core.roster.columns import CHILD_COLUMNS, Column, Kind
from guanai.core.vocabulary import Vocabulary

PERSON_NAMES = frozenset(
    {"child.name", "father.name", "mother.name", "guardian.name", "pairing.buddy_name"}
)  # the columns that hold a person's name


def render(column: Column, value: Any) -> Any:
    """``Column.render``, tolerating a label stored where a code belongs (older data, "男")."""
    vocabulary = column.vocabulary
    if vocabulary is not None and value is not None:
        if column.kind is Kind.CHOICES:
            value = [_code(vocabulary, item) for item in value]
        else:
            value = _code(vocabulary, value)
    try:
        return column.render(value)
    except KeyError:  # neither a code nor a label: show what is stored
        return "、".join(map(str, value)) if isinstance(value, list) else str(value)


def _code(vocabulary: Vocabulary, value: Any) -> Any:
    if value in vocabulary:
        return value
    return vocabulary.parse(str(value)) or value


def mask(column: Column, value: Any) -> str | None:
    """A private value as a viewer who may not see it reads it (138****1234, 110105*****3)."""
    if value is None or value == "":
        return None
    text = str(value)
    if column.kind is Kind.ID_NUMBER:
        return mask_id_number(text)
    if column.kind in (Kind.MOBILE, Kind.PHONE):
        return mask_phone(text)
    return mask_text(text)


@dataclass(frozen=True)
class Disclosure:
    """The privacy settings of one output for one viewer."""

    viewer: Viewer
    contacts: bool  # private columns are part of the output
    clear: bool  # private values may be in clear where the viewer sees the child in full

    @property
    def masks_names(self) -> bool:
        return self.viewer.is_bureau

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        """The roster columns this output has, in the order of ``CHILD_COLUMNS``."""
        return tuple(c for c in CHILD_COLUMNS if self.contacts or not c.private)

    def name(self, name: str | None) -> str | None:
        """A child's (or buddy's) name as this output shows it."""
        if name is None:
            return None
        return mask_name(name) if self.masks_names else name

    def in_clear(self, full: bool) -> bool:
        """Whether a child's private values are shown in clear (``full``: sees_in_full)."""
        return self.clear and bool(full) and not self.viewer.is_bureau

    def cell(self, column: Column, value: Any, *, in_clear: bool) -> Any:
        """One cell of a child's row."""
        shown = render(column, value)
        if column.private and not in_clear:
            return mask(column, shown)
        if self.masks_names and column.key in PERSON_NAMES:
            return mask_name(shown) if shown else None
        return shown

    def row(self, values: Any, full: bool) -> tuple[list[Any], bool]:
        """A child's row of cells, and whether any of them was masked."""
        in_clear = self.in_clear(full)
        cells = [
            self.cell(column, value, in_clear=in_clear)
            for column, value in zip(self.columns, values, strict=True)
        ]
        masked = (self.contacts and not in_clear) or self.masks_names
        return cells, masked
