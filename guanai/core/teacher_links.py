"""Teachers' personal links (``/t/<token>``) and the phone sessions opened from them.

A link belongs to one teacher and acts as that teacher's account: whoever holds it records
as the teacher, so it is a token like a feed's (random, shown once, stored hashed, revocable,
rotatable). Opening it starts a session whose token lives in an HttpOnly cookie; the session
ends when it expires or when its link is revoked. A form's CSRF token is derived from the
session token, so it needs no server secret shared between workers, and only the holder of the
cookie can know it.

Lookups put every condition (not revoked, not expired) in the indexed query itself, so an
unknown token and a revoked one cost the same work and answer in the same time.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, or_, select, update
from sqlalchemy.orm import Session

from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.models import Account, TeacherLink, WebSession
from guanai.core.secret_tokens import hash_token, new_token, well_formed

LINK = "link"
REMINDER = "reminder"
REMINDER_LINK_LIFETIME = timedelta(days=7)
"""How long the sign-in link a reminder carries stays valid: past the week it announces."""
SESSION_LIFETIME = timedelta(days=30)
"""How long a phone stays signed in after opening a link: a term's month of talks."""


class LinkError(GuanaiError):
    """A teacher link that does not exist or cannot be changed."""


@dataclass(frozen=True)
class IssuedLink:
    """A new link and its token: the only time the token is known in clear."""

    link: TeacherLink
    token: str


@dataclass(frozen=True)
class SignedIn:
    """Who a live session acts as: the account's name is the actor of every action."""

    session_id: int
    link_id: int
    account_name: str
    teacher_id: int
    school_id: int


def issue_link(
    session: Session,
    *,
    account: Account,
    actor: str,
    now: datetime,
    purpose: str = LINK,
) -> IssuedLink:
    """Create a link acting as ``account`` (a teacher's account); does not commit. A reminder's
    link expires after :data:`REMINDER_LINK_LIFETIME`; a coordinator's lives until revoked."""
    if account.teacher_id is None or account.school_id is None:
        raise ValueError("a teacher link acts as an account bound to a teacher and a school")
    if purpose not in (LINK, REMINDER):
        raise ValueError(f"purpose must be {LINK!r} or {REMINDER!r}, not {purpose!r}")
    token = new_token()
    link = TeacherLink(
        token_hash=hash_token(token),
        teacher_id=account.teacher_id,
        school_id=account.school_id,
        account_id=account.id,
        purpose=purpose,
        created_at=now,
        created_by=actor,
        expires_at=now + REMINDER_LINK_LIFETIME if purpose == REMINDER else None,
    )
    session.add(link)
    session.flush()
    return IssuedLink(link, token)


def _live_link(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (
        TeacherLink.revoked_at.is_(None),
        or_(TeacherLink.expires_at.is_(None), TeacherLink.expires_at > now),
    )


def find_active_link(session: Session, token: str, now: datetime) -> TeacherLink | None:
    """The live link of ``token``; None for an unknown, malformed, revoked or expired one."""
    if not well_formed(token):
        return None
    wanted = hash_token(token)
    link = session.scalars(
        select(TeacherLink).where(TeacherLink.token_hash == wanted, *_live_link(now))
    ).one_or_none()
    if link is None or not hmac.compare_digest(link.token_hash, wanted):
        return None
    return link


def _link(session: Session, link_id: int) -> TeacherLink:
    link = session.get(TeacherLink, link_id)
    if link is None:
        raise LinkError(Label(f"找不到教师链接 {link_id}", f"no teacher link {link_id}"))
    return link


def revoke_link(session: Session, link_id: int, now: datetime) -> TeacherLink:
    """Revoke a link: it and every session opened from it get 404 from now on."""
    link = _link(session, link_id)
    if link.revoked_at is not None:
        raise LinkError(
            Label(
                f"教师链接 {link_id} 已于 {link.revoked_at:%Y-%m-%d} 撤销",
                f"teacher link {link_id} was already revoked on {link.revoked_at:%Y-%m-%d}",
            )
        )
    link.revoked_at = now
    session.flush()
    return link


def rotate_link(session: Session, link_id: int, actor: str, now: datetime) -> IssuedLink:
    """Revoke a link and issue a new one for the same teacher's account."""
    old = revoke_link(session, link_id, now)
    account = session.get(Account, old.account_id)
    assert account is not None  # a foreign key
    return issue_link(session, account=account, actor=actor, now=now, purpose=old.purpose)


def open_session(session: Session, link: TeacherLink, now: datetime) -> str:
    """Start a phone session from a live link; returns the session token (for the cookie).
    Does not commit."""
    token = new_token()
    session.add(
        WebSession(
            token_hash=hash_token(token),
            link_id=link.id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    link.last_used_at = now
    session.flush()
    return token


def find_session(session: Session | Connection, token: str, now: datetime) -> SignedIn | None:
    """Who the session of ``token`` acts as; None when it is unknown, malformed or expired,
    or its link is revoked or expired. One indexed query."""
    if not well_formed(token):
        return None
    wanted = hash_token(token)
    row = session.execute(
        select(
            WebSession.id,
            WebSession.token_hash,
            TeacherLink.id,
            Account.name,
            TeacherLink.teacher_id,
            TeacherLink.school_id,
        )
        .join(TeacherLink, TeacherLink.id == WebSession.link_id)
        .join(Account, Account.id == TeacherLink.account_id)
        .where(WebSession.token_hash == wanted, WebSession.expires_at > now, *_live_link(now))
    ).one_or_none()
    if row is None or not hmac.compare_digest(row[1], wanted):
        return None
    return SignedIn(row[0], row[2], row[3], row[4], row[5])


def end_session(session: Session, token: str) -> None:
    """Sign a phone out: its session row goes (a no-op for an unknown token)."""
    if well_formed(token):
        session.execute(
            update(WebSession)
            .where(WebSession.token_hash == hash_token(token))
            .values(expires_at=WebSession.created_at)
        )


def csrf_token(session_token: str) -> str:
    """The token every form of this session carries: HMAC-SHA256 of a fixed label, keyed by
    the session token (which only the session's cookie holds)."""
    return hmac.new(session_token.encode("ascii"), b"guanai-csrf", hashlib.sha256).hexdigest()


def csrf_matches(session_token: str, submitted: str | None) -> bool:
    return submitted is not None and hmac.compare_digest(csrf_token(session_token), submitted)
