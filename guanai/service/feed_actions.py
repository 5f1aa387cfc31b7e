"""Calendar feeds: issue, list, revoke, rotate, static export, and the links to them."""

from __future__ import annotations

from guanai.service.base import ServiceBase


class FeedActions(ServiceBase):
    """Teachers' iCal feeds behind revocable tokens."""
