"""The sign-in link a teacher's reminder carries to their phone page, minted as it is sent.

A reminder is queued with its content already composed and stored (masked) in the outbox;
the link is not part of that content. It is minted at delivery, for that one delivery, as a
reminder's link (:data:`guanai.core.teacher_links.REMINDER`: it expires after a week, and its
token is stored hashed), and joins only what the channel sends. So no token is ever written
to the outbox, the inbox or a log, and a reminder retried after a failure carries a fresh
link of its own.

Only a teacher who already has a teacher's account gets one: delivering a reminder never
creates an account, which is the coordinator's decision (``guanai links issue``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.access import HEAD_TEACHER, TEACHER
from guanai.core.models import Account
from guanai.core.teacher_links import REMINDER, issue_link


def teacher_account(session: Session, teacher_id: int) -> Account | None:
    """The teacher's own account (the first, by id), or None when they have none."""
    return session.scalars(
        select(Account)
        .where(
            Account.teacher_id == teacher_id,
            Account.school_id.is_not(None),
            Account.role.in_((TEACHER, HEAD_TEACHER)),
        )
        .order_by(Account.id)
        .limit(1)
    ).first()


def mint_reminder_token(
    session: Session, teacher_id: int, *, actor: str, now: datetime
) -> str | None:
    """A new week-long sign-in token for the teacher's account, or None when the teacher has
    no account. Does not commit: the caller's transaction holds the link."""
    account = teacher_account(session, teacher_id)
    if account is None:
        return None
    return issue_link(session, account=account, actor=actor, now=now, purpose=REMINDER).token
