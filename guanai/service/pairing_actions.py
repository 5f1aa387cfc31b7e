"""Pairings: balanced auto-pairing, one child's pairing, the list of pairings."""

from __future__ import annotations

from guanai.service.base import ServiceBase


class PairingActions(ServiceBase):
    """Pairing children with teachers, and reading the pairings."""
