"""Signing a phone in with a teacher's link, and finding who a phone's session acts as.

This is authentication, not a user action: the link's token is the credential, and what it
yields is the name of the teacher's account. Every page a signed-in phone then opens is a
:class:`guanai.service.Guanai` action of that account, under the one access rule. Kept apart
from the actions because there is no acting account yet when it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine

from guanai.core import db
from guanai.core.teacher_links import (
    SignedIn,
    end_session,
    find_active_link,
    find_session,
    open_session,
)
from guanai.service.base import wall_clock


class PhoneSessions:
    """The web server's one door: a link's token in, a session token out."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = wall_clock) -> None:
        self.engine = engine
        self.clock = clock

    def sign_in(self, link_token: str) -> str | None:
        """Open a session from a live link; its token, or None for an unknown, revoked or
        expired link (both cost one indexed lookup)."""
        with db.transaction(self.engine) as session:
            link = find_active_link(session, link_token, self.clock())
            if link is None:
                return None
            return open_session(session, link, self.clock())

    def signed_in(
        self, session_token: str, connection: Connection | None = None
    ) -> SignedIn | None:
        """Who a session acts as, or None when it is over (expired, or its link revoked). On
        ``connection`` when given (the web server's loop connection: the one indexed query is
        shorter than a trip to a worker thread), else on a session of its own."""
        if connection is not None:
            return find_session(connection, session_token, self.clock())
        with db.session_factory(self.engine)() as session:
            return find_session(session, session_token, self.clock())

    def sign_out(self, session_token: str) -> None:
        with db.transaction(self.engine) as session:
            end_session(session, session_token)
