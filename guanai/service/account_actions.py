"""Accounts: who may use guanai and in which role (coordinators manage them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Select, make_url, select

from guanai.core import db
from guanai.core.access import Viewer
from guanai.core.accounts import account_count, add_account, remove_account
from guanai.core.models import Account, School, Teacher
from guanai.service.base import ServiceBase


def _exists(url: str) -> bool:
    """False for a SQLite file not yet created (asking would create it), else True."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return True
    return Path(parsed.database).expanduser().exists()


@dataclass(frozen=True)
class AccountRow:
    """One account as listed: its role code, and its school's and teacher's codes if any."""

    name: str
    role: str
    school_code: str | None
    teacher_code: str | None


@dataclass(frozen=True)
class AddedAccount(AccountRow):
    """An account just added; ``first``: the install's first, after which every user must act
    as an account (see :mod:`guanai.core.access`)."""

    first: bool


def _listed() -> Select[tuple[str, str, str | None, str | None]]:
    return (
        select(Account.name, Account.role, School.code, Teacher.code)
        .outerjoin(School, School.id == Account.school_id)
        .outerjoin(Teacher, Teacher.id == Account.teacher_id)
    )


class AccountActions(ServiceBase):
    """Adding, removing and listing accounts; and who the acting account is."""

    def identify(self) -> Viewer:
        """The acting account, for a command that reads no records (a template, the plugin
        list): refused when the name has no account. A database not yet created has no
        accounts, so its one user is the coordinator."""
        if not _exists(self.settings.database_url) or not db.is_current(self.engine):
            return Viewer(self.actor, "coordinator")
        return self.viewer()

    def add_account(
        self,
        name: str,
        role: str,
        *,
        school_code: str | None = None,
        teacher_code: str | None = None,
    ) -> AddedAccount:
        """Add an account (``role`` as a code or a Chinese name; ``school_code`` by default
        the acting coordinator's school, else the only one). Accounts are the install's: any
        coordinator adds them, for any school (a city's first coordinator of a new school is
        added by another school's)."""
        with self.acting("manage_accounts") as (session, viewer):
            account = add_account(
                session,
                viewer,
                name=name,
                role=role,
                school_code=school_code,
                teacher_code=teacher_code,
            )
            row = session.execute(_listed().where(Account.id == account.id)).one()
            return AddedAccount(*row, first=account_count(session) == 1)

    def remove_account(self, name: str) -> None:
        """Remove an account, never the last coordinator's."""
        with self.acting("manage_accounts") as (session, viewer):
            remove_account(session, viewer, name)

    def accounts(self) -> list[AccountRow]:
        """Every account, by name (coordinators only)."""
        with self.reading("manage_accounts") as (session, _):
            return [AccountRow(*row) for row in session.execute(_listed().order_by(Account.name))]
