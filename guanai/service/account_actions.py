"""Accounts and roles."""

from __future__ import annotations

from guanai.service.base import ServiceBase


class AccountActions(ServiceBase):
    """Adding, removing and listing accounts."""
