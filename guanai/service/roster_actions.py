"""Roster imports and one child's record: import, the child's card, edits."""

from __future__ import annotations

from guanai.service.base import ServiceBase


class RosterActions(ServiceBase):
    """Importing a roster and reading or editing one child's record."""
