"""Which schools and which term a ledger covers, as the acting viewer may see them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from guanai.core.access import Viewer, require_school
from guanai.core.errors import NotFoundError
from guanai.core.i18n import Label
from guanai.core.models import School, Term


@dataclass(frozen=True)
class Scope:
    """The schools of a ledger (``school_ids`` None: every school) and its term, if any."""

    school_ids: tuple[int, ...] | None
    school_names: dict[int, str]
    term: Term | None

    def schools(self, column: ColumnElement[int]) -> ColumnElement[bool]:
        """A condition keeping rows of the ledger's schools (``column`` holds a school id)."""
        return true() if self.school_ids is None else column.in_(self.school_ids)

    def school_name(self, school_id: int) -> str:
        return self.school_names.get(school_id, "")


def ledger_scope(
    session: Session, viewer: Viewer, school_id: int | None, term_key: str | None
) -> Scope:
    """The schools ``viewer`` may see (one, if ``school_id``) and the term ``term_key``.

    Without ``term_key`` the ledger covers the term that started last; with no term planned
    at all its talk and activity sheets stay empty.
    """
    if school_id is not None:
        require_school(viewer, school_id)
    if school_id is None and viewer.school_id is not None:
        school_id = viewer.school_id
    ids = (school_id,) if school_id is not None else None
    query = select(School.id, School.name)
    if ids is not None:
        query = query.where(School.id.in_(ids))
    names: dict[int, str] = {row.id: row.name for row in session.execute(query)}
    return Scope(ids, names, _term(session, term_key))


def _term(session: Session, key: str | None) -> Term | None:
    if key is None:
        return session.scalars(select(Term).order_by(Term.starts_on.desc()).limit(1)).first()
    term = session.scalars(select(Term).where(Term.key == key)).one_or_none()
    if term is None:
        known = ", ".join(session.scalars(select(Term.key).order_by(Term.starts_on))) or "-"
        raise NotFoundError(
            Label(
                f"没有学期 {key}（已计划的学期：{known}）",
                f"no term {key} (planned terms: {known})",
            )
        )
    return term
