"""The reads the dashboard's panels show, as plain dataclasses."""

from __future__ import annotations

from guanai.service.base import ServiceBase


class PanelReads(ServiceBase):
    """What the dashboard panels read: one method each, coordinators only."""
