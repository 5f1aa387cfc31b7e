"""Calendar feeds: issue, list, revoke, rotate, static export, and the links to them.

Managing feeds is a coordinator's work (``manage_feeds``); a coordinator bound to one school
manages only that school's subscriptions. A link is built on ``[feeds] base_url`` (or a base
URL given for one call): without either, a new feed has only its token-bearing path, and no
front end may guess a loopback address for a phone to scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.access import Viewer, require_school
from guanai.core.errors import GuanaiError
from guanai.core.feeds.cache import FeedCache
from guanai.core.feeds.links import feed_path, feed_urls
from guanai.core.feeds.render import render_feed
from guanai.core.feeds.scope import FeedKey, feed_content, newest_change
from guanai.core.feeds.tokens import IssuedFeed, issue_feed, revoke_feed, rotate_feed
from guanai.core.i18n import Label
from guanai.core.models import FeedSubscription, School, Term
from guanai.core.schools import class_by_name, teacher_by_code
from guanai.service.base import ServiceBase
from guanai.service.scope import school_for


@dataclass(frozen=True)
class IssuedFeedLink:
    """A new feed subscription, the only time its token is known in clear.

    ``path`` (``/feeds/<token>.ics``) is always there; ``url`` and ``webcal_url`` only when a
    base URL is set or given, else None. ``term_planned``: whether the feed's term has tasks
    yet (an unplanned term's feed stays empty until ``guanai plan``)."""

    subscription_id: int
    label: str
    slug: str
    term_key: str
    token: str
    path: str
    url: str | None
    webcal_url: str | None
    term_planned: bool


@dataclass(frozen=True)
class FeedRow:
    """One subscription as listed: never its token."""

    id: int
    scope: str
    label: str
    school_code: str
    term_key: str
    alarms: bool
    created_at: datetime
    created_by: str
    revoked_at: datetime | None


class FeedActions(ServiceBase):
    """Teachers' iCal feeds behind revocable tokens."""

    @property
    def feed_base_url(self) -> str | None:
        """``[feeds] base_url`` (or ``GUANAI_FEEDS_BASE_URL``), None when it is not set."""
        return self.settings.feeds.base_url or None

    def issue_feed(
        self,
        *,
        teacher_code: str | None = None,
        class_name: str | None = None,
        school_wide: bool = False,
        school_code: str | None = None,
        term_key: str | None = None,
        alarms: bool = False,
        base_url: str | None = None,
    ) -> IssuedFeedLink:
        """A new subscription to one teacher's, one class's or the school-wide duties (exactly
        one of ``teacher_code``, ``class_name``, ``school_wide``) of ``term_key`` (default:
        the configured term), at the account's school or ``school_code``'s."""
        if sum((teacher_code is not None, class_name is not None, school_wide)) != 1:
            raise GuanaiError(
                Label(
                    "请指定 --teacher、--class 或 --all-school 之一",
                    "give exactly one of --teacher, --class or --all-school",
                )
            )
        term_key = term_key or self.calendar().key
        with self.acting("manage_feeds") as (session, viewer):
            school = session.get_one(School, school_for(session, viewer, school_code))
            teacher_id = class_id = None
            if teacher_code is not None:
                teacher = teacher_by_code(session, school.id, teacher_code)
                scope, teacher_id, label = (
                    "teacher",
                    teacher.id,
                    f"{teacher.name}（{teacher.code}）",
                )
            elif class_name is not None:
                klass = class_by_name(session, school.id, class_name)
                scope, class_id, label = "class", klass.id, klass.name
            else:
                scope, label = "school", school.name
            issued = issue_feed(
                session,
                scope=scope,
                school_id=school.id,
                teacher_id=teacher_id,
                class_id=class_id,
                term_key=term_key,
                label=label,
                actor=self.actor,
                now=self.now(),
                alarms=alarms,
            )
            return self._link(session, issued, base_url)

    def rotate_feed(self, subscription_id: int, base_url: str | None = None) -> IssuedFeedLink:
        """Revoke a subscription and issue a new token for the same feed."""
        with self.acting("manage_feeds") as (session, viewer):
            self._own(session, viewer, subscription_id)
            issued = rotate_feed(session, subscription_id, self.actor, self.now())
            return self._link(session, issued, base_url)

    def revoke_feed(self, subscription_id: int) -> None:
        """Revoke a subscription: its link gets 404 from now on."""
        with self.acting("manage_feeds") as (session, viewer):
            self._own(session, viewer, subscription_id)
            revoke_feed(session, subscription_id, self.now())

    def list_feeds(self, include_revoked: bool = False) -> list[FeedRow]:
        """The subscriptions the account manages (its school's, when bound to one), by id."""
        with self.reading("manage_feeds") as (session, viewer):
            query = (
                select(FeedSubscription, School.code)
                .join(School, School.id == FeedSubscription.school_id)
                .order_by(FeedSubscription.id)
            )
            if viewer.school_id is not None:
                query = query.where(FeedSubscription.school_id == viewer.school_id)
            if not include_revoked:
                query = query.where(FeedSubscription.revoked_at.is_(None))
            return [
                FeedRow(
                    row.id,
                    row.scope,
                    row.label,
                    code,
                    row.term_key,
                    row.alarms,
                    row.created_at,
                    row.created_by,
                    row.revoked_at,
                )
                for row, code in session.execute(query)
            ]

    def export_ics(self, directory: Path) -> tuple[int, int]:
        """Write each live feed the account manages as ``<slug>.ics`` in ``directory`` and
        remove the files of revoked ones; returns (written, removed). A file whose bytes are
        unchanged is left alone; a changed one is replaced atomically."""
        cache = FeedCache(self.pm.activity_registry(), self.feed_base_url)
        written = removed = 0
        with self.reading("manage_feeds") as (session, viewer):
            directory.mkdir(parents=True, exist_ok=True)
            query = select(FeedSubscription).order_by(FeedSubscription.id)
            if viewer.school_id is not None:
                query = query.where(FeedSubscription.school_id == viewer.school_id)
            for row in session.scalars(query):
                target = directory / f"{row.slug}.ics"
                if row.revoked_at is not None:
                    if target.exists():
                        target.unlink()
                        removed += 1
                    continue
                body = cache.lookup(session, FeedKey.of(row)).body
                if not target.exists() or target.read_bytes() != body:
                    tmp = target.with_suffix(".ics.tmp")
                    tmp.write_bytes(body)
                    tmp.replace(target)
                written += 1
        return written, removed

    def teacher_feed(self, teacher_code: str, *, term_key: str | None = None) -> bytes:
        """The bytes a teacher's feed of ``term_key`` (default: the configured term) serves,
        without issuing a subscription: what a test or a preview reads."""
        term_key = term_key or self.calendar().key
        with self.reading("manage_feeds") as (session, viewer):
            school = school_for(session, viewer, None)
            teacher = teacher_by_code(session, school, teacher_code)
            key = FeedKey("teacher", school, teacher.id, None, term_key, False)
            return render_feed(
                feed_content(
                    session,
                    key,
                    self.types(session),
                    newest_change(session, key),
                    self.feed_base_url,
                )
            )

    # -- helpers ---------------------------------------------------------------------------

    def _own(self, session: Session, viewer: Viewer, subscription_id: int) -> None:
        """Refuse a coordinator bound to one school another school's subscription."""
        subscription = session.get(FeedSubscription, subscription_id)
        if subscription is not None:
            require_school(viewer, subscription.school_id)

    def _link(self, session: Session, issued: IssuedFeed, base_url: str | None) -> IssuedFeedLink:
        subscription = issued.subscription
        base = base_url or self.feed_base_url
        url, webcal = feed_urls(base, issued.token) if base else (None, None)
        planned = session.scalars(select(Term.id).where(Term.key == subscription.term_key)).first()
        return IssuedFeedLink(
            subscription.id,
            subscription.label,
            subscription.slug,
            subscription.term_key,
            issued.token,
            feed_path(issued.token),
            url,
            webcal,
            planned is not None,
        )
