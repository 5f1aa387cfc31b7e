"""``guanai export``: the roster written back as the .xlsx it is imported from.

The sheet (留守儿童) has exactly the columns of ``CHILD_COLUMNS`` with their Chinese headers, in
order, and each value as ``Column.render`` writes it, so an exported file imports again
unchanged. Safe by default: contact details (private columns) are left out unless the export
is encrypted with a password or the caller explicitly asks for an unprotected file
(``with_contacts``); see :mod:`guanai.core.roster.disclosure` for who sees what in clear.

Children are read in keyset pages and written to a streamed sheet, so memory stays flat from
a class of thirty to a city of 260,000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from guanai.core.access import Viewer, require_school, sees_in_full
from guanai.core.models import AuditEvent, Child
from guanai.core.paging import keyset_pages
from guanai.core.roster.cards import card_select
from guanai.core.roster.disclosure import Disclosure
from guanai.core.workbook import Sheet, new_workbook, save

SHEET = "留守儿童"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportSummary:
    """What was written: for the command's report and the audit trail (no private values)."""

    path: Path
    rows: int
    masked_rows: int  # rows in which something was masked
    contacts: bool  # private columns are in the file
    protected: bool  # the file is encrypted with a password


def card_pages(
    session: Session, disclosure: Disclosure, *conditions: ColumnElement[bool]
) -> Iterator[list[tuple[list[Any], bool]]]:
    """Pages of children's rows (cells, masked?) as ``disclosure`` shows them, by child id."""
    full = sees_in_full(disclosure.viewer).label("full")
    query = card_select(disclosure.columns, full).where(*conditions)
    for page in keyset_pages(session, query, Child.id):
        yield [disclosure.row(row[2:], row[1]) for row in page]


def count_children(session: Session, school_id: int) -> int:
    """How many children an export of ``school_id`` writes (for a progress bar)."""
    return session.scalar(select(func.count(Child.id)).where(Child.school_id == school_id)) or 0


def export_roster(
    session: Session,
    path: Path,
    *,
    school_id: int,
    viewer: Viewer,
    with_contacts: bool = False,
    password: str | None = None,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write ``school_id``'s roster (every child, enrolled or not) to the .xlsx ``path``.

    Contact details are in the file when ``password`` is given (the file is then encrypted)
    or ``with_contacts`` acknowledges an unprotected file; they are in clear only for the
    children ``viewer`` sees in full, masked for the others.
    """
    require_school(viewer, school_id)
    disclosure = Disclosure(viewer, contacts=with_contacts or password is not None, clear=True)
    book = new_workbook()
    sheet = Sheet(book, SHEET, [column.header.zh for column in disclosure.columns])
    masked = 0
    for page in card_pages(session, disclosure, Child.school_id == school_id):
        for cells, was_masked in page:
            sheet.append(cells)
            masked += was_masked
        if progress is not None:
            progress(len(page))
    save(book, path, password=password)
    return ExportSummary(Path(path), sheet.rows, masked, disclosure.contacts, password is not None)


def audit_output(
    session: Session,
    *,
    actor: str,
    now: datetime,
    action: str,
    path: Path,
    school_ids: Sequence[int] | None,
    detail: dict[str, Any],
) -> None:
    """Keep who wrote which file of records, and whether it held contact details.

    Only the file's name, the schools and counts are kept: never a value from the file.
    """
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action=action,
            entity="school",
            entity_id=school_ids[0] if school_ids is not None and len(school_ids) == 1 else None,
            detail={
                "file": Path(path).name,
                "schools": list(school_ids) if school_ids is not None else "all",
                **detail,
            },
        )
    )
