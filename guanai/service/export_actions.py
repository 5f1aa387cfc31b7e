"""Exports: the roster back to a workbook, and the bureau's ledgers."""

from __future__ import annotations

from guanai.service.base import ServiceBase


class ExportActions(ServiceBase):
    """Writing the roster and the ledgers to files."""
