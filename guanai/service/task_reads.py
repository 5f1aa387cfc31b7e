"""Tasks as plain dataclasses, masked for the account that reads them."""

from __future__ import annotations

from guanai.service.base import ServiceBase


class TaskReads(ServiceBase):
    """Reading tasks: what a command or panel plugin lists."""
