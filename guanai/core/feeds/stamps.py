"""A school's feed stamp: the counter the database's triggers bump with every change that can
alter one of the school's feeds (migration 0010). Equal stamps, equal feeds."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, literal_column, select
from sqlalchemy.orm import Session

from guanai.core.models import FeedStamp


def stamp_of(school_id: ColumnElement[int] | int) -> ColumnElement[int]:
    """The stamp of ``school_id`` (a column or a value), 0 for a school never changed."""
    return func.coalesce(
        select(FeedStamp.stamp).where(FeedStamp.school_id == school_id).scalar_subquery(),
        literal_column("0"),
    )


def school_stamp(session: Session, school_id: int) -> int:
    return int(session.execute(select(stamp_of(school_id))).scalar_one())
