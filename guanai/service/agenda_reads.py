"""What is on someone's plate: the agenda, narrowed to what the account may see."""

from __future__ import annotations

from guanai.service.base import ServiceBase


class AgendaReads(ServiceBase):
    """The agenda of a teacher or a school."""
