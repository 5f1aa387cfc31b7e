"""What the dashboard's panels show, as small dataclasses read with set-based queries.

Textual-free: each function takes the session and the viewer (or the :class:`Scope` they
narrow to) that :class:`guanai.service.panel_reads.PanelReads` opened for one read, and
returns a few rows, counted and limited by the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.access import Viewer
from guanai.core.models import School, Term


@dataclass(frozen=True)
class Scope:
    """The school the coordinator looks after and the term in force on ``today``."""

    school_id: int
    school_code: str
    school_name: str
    term_id: int | None
    term_key: str | None
    term_name: str
    today: date


def coordinator_scope(session: Session, viewer: Viewer, today: date) -> Scope | None:
    """The viewer's school (their account's or the one chosen, else the first school) and
    the current term.

    None when there is no school yet. The term is the one ``today`` falls in, else the one
    that started last.
    """
    query = select(School.id, School.code, School.name).order_by(School.id).limit(1)
    if viewer.school_id is not None:
        query = query.where(School.id == viewer.school_id)
    school = session.execute(query).first()
    if school is None:
        return None
    term = (
        session.execute(
            select(Term.id, Term.key, Term.name)
            .where(Term.starts_on <= today)
            .order_by(Term.starts_on.desc())
            .limit(1)
        ).first()
        or session.execute(
            select(Term.id, Term.key, Term.name).order_by(Term.starts_on).limit(1)
        ).first()
    )
    if term is None:
        return Scope(school.id, school.code, school.name, None, None, "", today)
    return Scope(school.id, school.code, school.name, term.id, term.key, term.name, today)


def import_school_code(session: Session, viewer: Viewer) -> str | None:
    """The code of the one school ``viewer`` can import a roster into, or None when that is
    not one school (none yet, or several for an account bound to none)."""
    query = select(School.code).order_by(School.code).limit(2)
    if viewer.school_id is not None:
        query = query.where(School.id == viewer.school_id)
    codes = session.scalars(query).all()
    return codes[0] if len(codes) == 1 else None
