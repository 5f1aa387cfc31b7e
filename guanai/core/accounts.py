"""Accounts: who uses guanai and in which role (see :mod:`guanai.core.access`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guanai.core.access import AccessError, Viewer, require_role
from guanai.core.errors import NotFoundError
from guanai.core.i18n import Label
from guanai.core.models import Account
from guanai.core.schools import chosen_school, teacher_by_code
from guanai.core.text import UnsafeText, clean_text
from guanai.core.vocabulary import ROLES

NAME_LENGTH = 100  # as Account.name holds it


def _check_name(name: str) -> None:
    """An account's name is shown in the audit trail, logs and every listing: one line of
    printable text, within the column's length."""
    try:
        clean_text(name)
    except UnsafeText as error:
        raise AccessError(
            Label(f"账号名{error.reason.zh}", f"the account name {error.reason.en}")
        ) from None
    if not name.strip() or len(name) > NAME_LENGTH:
        raise AccessError(
            Label(
                f"账号名应为 1–{NAME_LENGTH} 个字符",
                f"an account name has 1 to {NAME_LENGTH} characters",
            )
        )


def account_count(session: Session) -> int:
    """How many accounts the install has (none: a single-user install, see
    :mod:`guanai.core.access`)."""
    return session.scalar(select(func.count()).select_from(Account)) or 0


def add_account(
    session: Session,
    viewer: Viewer,
    *,
    name: str,
    role: str,
    school_code: str | None,
    teacher_code: str | None,
) -> Account:
    """Add an account. The first account of an install must be a coordinator's, so that the
    install never locks out the person setting it up. Without ``school_code`` the account
    belongs to the acting coordinator's school, else to the only school; a bureau account
    without one sees every school."""
    require_role(viewer, "coordinator")
    _check_name(name)
    code = ROLES.parse(role)
    if code is None:
        raise NotFoundError(
            Label(
                f"未知角色 {role}（可选：{ROLES.spellings().zh}）",
                f"unknown role {role} (one of: {ROLES.spellings().en})",
            )
        )
    if not account_count(session) and code != "coordinator":
        raise AccessError(
            Label(
                "第一个账号必须是关爱办（coordinator）", "the first account must be a coordinator's"
            )
        )
    if session.scalar(select(func.count()).select_from(Account).where(Account.name == name)):
        raise AccessError(Label(f"账号 {name} 已存在", f"account {name} already exists"))
    school_id = None
    if school_code is not None or code != "bureau":
        school_id = chosen_school(session, school_code, default=viewer.school_id)
    teacher_id = None
    if teacher_code is not None and school_id is not None:
        teacher_id = teacher_by_code(session, school_id, teacher_code).id
    elif teacher_code is not None:
        raise NotFoundError(
            Label(
                f"教育局账号没有学校，不能对应工号 {teacher_code}",
                f"a bureau account has no school, so no teacher code {teacher_code}",
            )
        )
    elif code in ("head_teacher", "teacher"):
        raise AccessError(
            Label("教师账号须指定 --teacher 工号", "a teacher's account needs --teacher CODE")
        )
    account = Account(name=name, role=code, school_id=school_id, teacher_id=teacher_id)
    session.add(account)
    session.flush()
    return account


def remove_account(session: Session, viewer: Viewer, name: str) -> None:
    require_role(viewer, "coordinator")
    account = session.scalars(select(Account).where(Account.name == name)).one_or_none()
    if account is None:
        raise NotFoundError(Label(f"没有账号 {name}", f"no account {name}"))
    remaining = session.scalar(
        select(func.count())
        .select_from(Account)
        .where(Account.role == "coordinator", Account.id != account.id)
    )
    if account.role == "coordinator" and not remaining:
        raise AccessError(
            Label("不能删除最后一个关爱办账号", "cannot remove the last coordinator account")
        )
    session.delete(account)
