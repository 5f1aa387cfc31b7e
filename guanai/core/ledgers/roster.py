"""留守儿童花名册: the roster with contact cards, one row per child, school by school.

The same columns as ``guanai export`` (after a 学校 column), read and masked the same way:
contact details are always present, but in clear only in a password-protected ledger and only
for the children the viewer sees in full; a bureau viewer sees them masked, names too.
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl import Workbook
from sqlalchemy.orm import Session

from guanai.core.ledgers.scope import Scope
from guanai.core.models import Child
from guanai.core.roster.disclosure import Disclosure
from guanai.core.roster.export import card_pages
from guanai.core.workbook import Sheet

TITLE = "留守儿童花名册"


def write_roster(
    session: Session,
    book: Workbook,
    scope: Scope,
    disclosure: Disclosure,
    progress: Callable[[int], None],
) -> tuple[int, int]:
    """Write the sheet; return (rows, rows with something masked)."""
    headers = ["学校", *(column.header.zh for column in disclosure.columns)]
    sheet = Sheet(book, TITLE, headers)
    masked = 0
    for school_id in sorted(scope.school_names):
        school = scope.school_name(school_id)
        for page in card_pages(session, disclosure, Child.school_id == school_id):
            for cells, was_masked in page:
                sheet.append([school, *cells])
                masked += was_masked
            progress(len(page))
    return sheet.rows, masked
