"""Narrowing an action to the school the account may act on."""

from __future__ import annotations

from sqlalchemy.orm import Session

from guanai.core.access import Viewer, require_school
from guanai.core.schools import chosen_school


def school_for(session: Session, viewer: Viewer, code: str | None) -> int:
    """The school ``code`` names (default: the account's own, else the only one), refused
    to an account bound to another school."""
    school = chosen_school(session, code, default=viewer.school_id)
    require_school(viewer, school)
    return school
