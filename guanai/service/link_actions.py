"""Teachers' personal links to their phone pages: issue, list, revoke, rotate.

A link acts as the teacher's account, so that every record made through it is the teacher's
under the one access rule (a teacher records only their own tasks). Issuing a link for a
teacher with no account yet creates one for them, named ``<school code>-<teacher code>``: a
``head_teacher`` account for a class's head teacher (who sees their class's children), else a
``teacher`` account. An install with no accounts at all is a single-user install
whose user is the coordinator; its first account must be a coordinator's (creating a teacher's
would lock that user out), so there a link is refused with what to do.

Managing links is a coordinator's work (``manage_links``), for their own school.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.access import Viewer, require_school
from guanai.core.accounts import account_count
from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.models import Account, School, SchoolClass, Teacher, TeacherLink
from guanai.core.schools import teacher_by_code
from guanai.core.teacher_links import (
    LINK,
    IssuedLink,
    issue_link,
    revoke_link,
    rotate_link,
)
from guanai.service.base import ServiceBase
from guanai.service.scope import school_for

TEACHER_ROLES = ("teacher", "head_teacher")


def link_path(token: str) -> str:
    """Where a teacher's link opens: ``/t/<token>``."""
    return f"/t/{token}"


@dataclass(frozen=True)
class IssuedTeacherLink:
    """A new teacher link, the only time its token is known in clear. ``url`` only when
    ``[feeds] base_url`` is set (or a base URL is given); ``account_created`` when issuing it
    added the teacher's account."""

    link_id: int
    teacher_code: str
    teacher_name: str
    account_name: str
    token: str
    path: str
    url: str | None
    account_created: bool


@dataclass(frozen=True)
class LinkRow:
    """One link as listed: never its token."""

    id: int
    teacher_code: str
    teacher_name: str
    account_name: str
    purpose: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class LinkActions(ServiceBase):
    """Teachers' sign-in links to their phone pages."""

    def issue_teacher_link(
        self, teacher_code: str, *, school_code: str | None = None, base_url: str | None = None
    ) -> IssuedTeacherLink:
        """A new personal link for the teacher ``teacher_code`` of the account's school (or
        ``school_code``'s), acting as the teacher's account (created when missing)."""
        with self.acting("manage_links") as (session, viewer):
            school = session.get_one(School, school_for(session, viewer, school_code))
            teacher = teacher_by_code(session, school.id, teacher_code)
            account, created = self._teacher_account(session, school, teacher)
            issued = issue_link(session, account=account, actor=self.actor, now=self.now())
            return self._issued(issued, teacher, account, base_url, created)

    def rotate_teacher_link(self, link_id: int, base_url: str | None = None) -> IssuedTeacherLink:
        """Revoke a link and issue a new one to the same teacher: the old one gets 404."""
        with self.acting("manage_links") as (session, viewer):
            self._own_link(session, viewer, link_id)
            issued = rotate_link(session, link_id, self.actor, self.now())
            teacher = session.get_one(Teacher, issued.link.teacher_id)
            account = session.get_one(Account, issued.link.account_id)
            return self._issued(issued, teacher, account, base_url, False)

    def revoke_teacher_link(self, link_id: int) -> None:
        """Revoke a link: it and the phones signed in with it get 404 from now on."""
        with self.acting("manage_links") as (session, viewer):
            self._own_link(session, viewer, link_id)
            revoke_link(session, link_id, self.now())

    def teacher_links(
        self, *, include_revoked: bool = False, include_reminders: bool = False
    ) -> list[LinkRow]:
        """The links of the account's school (every school's for an unbound coordinator), by
        id: the coordinator's by default, the short-lived ones reminders carry on request."""
        with self.reading("manage_links") as (session, viewer):
            query = (
                select(
                    TeacherLink.id,
                    Teacher.code,
                    Teacher.name,
                    Account.name,
                    TeacherLink.purpose,
                    TeacherLink.created_at,
                    TeacherLink.created_by,
                    TeacherLink.expires_at,
                    TeacherLink.revoked_at,
                    TeacherLink.last_used_at,
                )
                .join(Teacher, Teacher.id == TeacherLink.teacher_id)
                .join(Account, Account.id == TeacherLink.account_id)
                .order_by(TeacherLink.id)
            )
            if viewer.school_id is not None:
                query = query.where(TeacherLink.school_id == viewer.school_id)
            if not include_revoked:
                query = query.where(TeacherLink.revoked_at.is_(None))
            if not include_reminders:
                query = query.where(TeacherLink.purpose == LINK)
            return [LinkRow(*row) for row in session.execute(query)]

    # -- helpers ---------------------------------------------------------------------------

    def _teacher_account(
        self, session: Session, school: School, teacher: Teacher
    ) -> tuple[Account, bool]:
        account = session.scalars(
            select(Account)
            .where(Account.teacher_id == teacher.id, Account.role.in_(TEACHER_ROLES))
            .order_by(Account.id)
        ).first()
        if account is not None:
            return account, False
        if account_count(session) == 0:
            raise GuanaiError(
                Label(
                    "教师链接以教师本人的账号记录，而本系统还没有任何账号：请先添加关爱办账号"
                    "（guanai accounts add 名字 --role coordinator），再以该账号签发链接",
                    "a teacher link records as the teacher's own account, and this install has"
                    " no accounts yet: add the coordinator's first (guanai accounts add NAME"
                    " --role coordinator), then issue links as that account",
                )
            )
        heads_a_class = session.scalar(
            select(SchoolClass.id).where(SchoolClass.head_teacher_id == teacher.id).limit(1)
        )
        account = Account(
            name=f"{school.code}-{teacher.code}",
            role="head_teacher" if heads_a_class is not None else "teacher",
            teacher_id=teacher.id,
            school_id=school.id,
        )
        session.add(account)
        session.flush()
        return account, True

    def _issued(
        self,
        issued: IssuedLink,
        teacher: Teacher,
        account: Account,
        base_url: str | None,
        created: bool,
    ) -> IssuedTeacherLink:
        path = link_path(issued.token)
        base = base_url or self.settings.feeds.base_url or None
        return IssuedTeacherLink(
            issued.link.id,
            teacher.code,
            teacher.name,
            account.name,
            issued.token,
            path,
            base.rstrip("/") + path if base else None,
            created,
        )

    def _own_link(self, session: Session, viewer: Viewer, link_id: int) -> None:
        """Refuse a coordinator bound to one school another school's link."""
        link = session.get(TeacherLink, link_id)
        if link is not None:
            require_school(viewer, link.school_id)
