"""Feed subscriptions and their tokens: random, shown once, stored only as a SHA-256 hash.

A token is ``secrets.token_urlsafe(32)`` (256 bits). Lookup goes by the hash (an indexed,
unique column) and the match is confirmed with :func:`hmac.compare_digest`, so the comparison
itself takes the same time whatever the stored value.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Dialect, bindparam, select
from sqlalchemy.orm import Session

from guanai.core.driver_rows import DriverRows, driver_rows
from guanai.core.errors import GuanaiError
from guanai.core.feeds.scope import FeedKey
from guanai.core.feeds.stamps import stamp_of
from guanai.core.i18n import Label
from guanai.core.models import FeedSubscription
from guanai.core.secret_tokens import hash_token, new_token, well_formed

SCOPES = ("teacher", "class", "school")


class FeedError(GuanaiError):
    """A feed subscription that does not exist or cannot be changed."""


@dataclass(frozen=True)
class IssuedFeed:
    """A new subscription and its token: the only time the token is known in clear."""

    subscription: FeedSubscription
    token: str


def issue_feed(
    session: Session,
    *,
    scope: str,
    school_id: int,
    term_key: str,
    label: str,
    actor: str,
    now: datetime,
    teacher_id: int | None = None,
    class_id: int | None = None,
    alarms: bool = False,
) -> IssuedFeed:
    """Create a subscription; return it with its token. Does not commit."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    if (scope == "teacher") != (teacher_id is not None) or (scope == "class") != (
        class_id is not None
    ):
        raise ValueError("a teacher feed needs teacher_id, a class feed class_id, and only they")
    token = new_token()
    subscription = FeedSubscription(
        token_hash=hash_token(token),
        slug=secrets.token_urlsafe(16),
        scope=scope,
        school_id=school_id,
        teacher_id=teacher_id,
        class_id=class_id,
        term_key=term_key,
        label=label,
        alarms=alarms,
        created_at=now,
        created_by=actor,
    )
    session.add(subscription)
    session.flush()
    return IssuedFeed(subscription, token)


@dataclass(frozen=True)
class LiveFeed:
    """What a live token serves: its feed's key, and its school's stamp as of this read."""

    key: FeedKey
    stamp: int


_LIVE = select(
    FeedSubscription.token_hash,
    FeedSubscription.scope,
    FeedSubscription.school_id,
    FeedSubscription.teacher_id,
    FeedSubscription.class_id,
    FeedSubscription.term_key,
    FeedSubscription.alarms,
    stamp_of(FeedSubscription.school_id),
).where(FeedSubscription.revoked_at.is_(None), FeedSubscription.token_hash == bindparam("wanted"))


@functools.cache
def _live_sql(dialect: Dialect) -> tuple[str, Callable[[str], Any]]:
    """:data:`_LIVE` compiled once per dialect, and how to pass it the wanted hash. The query
    runs on every feed request: compiling it, or even computing its cache key, would cost more
    than the query itself."""
    compiled = _LIVE.compile(dialect=dialect)
    names = compiled.positiontup or []

    def parameters(wanted: str) -> Any:
        values = compiled.construct_params({"wanted": wanted})
        return tuple(values[name] for name in names) if compiled.positional else values

    return str(compiled), parameters


def find_live(source: DriverRows | Connection, token: str) -> LiveFeed | None:
    """The feed of a live ``token`` and its school's stamp, in one indexed query; None for an
    unknown, malformed or revoked token. A revoked token is filtered out by the query itself,
    so it reads no row, just as an unknown one does."""
    if not well_formed(token):
        return None
    wanted = hash_token(token)
    rows = driver_rows(source)
    sql, parameters = _live_sql(rows.dialect)
    row = rows.row(sql, parameters(wanted))
    if row is None or not hmac.compare_digest(row[0], wanted):
        return None
    return LiveFeed(FeedKey(row[1], row[2], row[3], row[4], row[5], bool(row[6])), int(row[7]))


def _subscription(session: Session, subscription_id: int) -> FeedSubscription:
    subscription = session.get(FeedSubscription, subscription_id)
    if subscription is None:
        raise FeedError(
            Label(f"找不到订阅 {subscription_id}", f"no feed subscription {subscription_id}")
        )
    return subscription


def revoke_feed(session: Session, subscription_id: int, now: datetime) -> FeedSubscription:
    """Revoke a subscription: its token gets 404 from now on. Revoking twice is refused."""
    subscription = _subscription(session, subscription_id)
    if subscription.revoked_at is not None:
        raise FeedError(
            Label(
                f"订阅 {subscription_id} 已于 {subscription.revoked_at:%Y-%m-%d} 撤销",
                f"feed subscription {subscription_id} was already revoked on "
                f"{subscription.revoked_at:%Y-%m-%d}",
            )
        )
    subscription.revoked_at = now
    session.flush()
    return subscription


def rotate_feed(session: Session, subscription_id: int, actor: str, now: datetime) -> IssuedFeed:
    """Revoke a subscription and issue a new token for the same feed."""
    old = revoke_feed(session, subscription_id, now)
    return issue_feed(
        session,
        scope=old.scope,
        school_id=old.school_id,
        teacher_id=old.teacher_id,
        class_id=old.class_id,
        term_key=old.term_key,
        label=old.label,
        actor=actor,
        now=now,
        alarms=old.alarms,
    )
