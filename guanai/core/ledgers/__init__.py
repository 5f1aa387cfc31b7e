"""``guanai ledger``: the bureau's ledgers (台账) for a term, as one .xlsx workbook.

Sheets, in order: 留守儿童花名册 (the roster with contact cards), 结对帮扶 (pairings), 谈心记录
(the term's talk records), the record sheets the activity types name (家访记录, 会议记录,
电话联系记录, 书信记录, 学习帮扶检查记录, 个别教育方案跟进记录), 帮扶计划 (the plans running in the
term), 活动开展 (the term's activities) and 汇总 (the summary figures).
Headers are in Chinese, the bureau's language; docs/ledgers.md gives their English meanings.

Privacy: contact details are masked unless the workbook is encrypted with a password, and
then in clear only for the children the viewer sees in full; a bureau viewer sees every
person's name and contact detail masked; a record's private fields are never read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from guanai.core.access import Viewer
from guanai.core.activity_registry import ActivityRegistry
from guanai.core.ledgers.activities import write_activities
from guanai.core.ledgers.pairings import write_pairings
from guanai.core.ledgers.plans import TITLE as PLANS
from guanai.core.ledgers.plans import write_plans
from guanai.core.ledgers.record_sheets import type_sheets, write_record_sheet
from guanai.core.ledgers.roster import write_roster
from guanai.core.ledgers.scope import ledger_scope
from guanai.core.ledgers.summary import write_summary
from guanai.core.ledgers.talks import talk_sheet
from guanai.core.roster.disclosure import Disclosure
from guanai.core.workbook import new_workbook, save

__all__ = ["LedgerSummary", "write_ledger"]


@dataclass(frozen=True)
class LedgerSummary:
    """What was written: rows per sheet, for the command's report (no private values)."""

    path: Path
    term_key: str | None
    school_ids: tuple[int, ...] | None  # None: every school
    schools: int
    sheets: dict[str, int] = field(default_factory=dict)  # sheet title -> data rows
    masked_rows: int = 0  # roster rows in which something was masked
    key_targets: int = 0
    protected: bool = False


def write_ledger(
    session: Session,
    path: Path,
    *,
    registry: ActivityRegistry,
    viewer: Viewer,
    term_key: str | None = None,
    school_id: int | None = None,
    password: str | None = None,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> LedgerSummary:
    """Write the ledgers of ``school_id`` (None: every school ``viewer`` may see).

    ``term_key`` None means the term that started last. With ``password`` the workbook is
    encrypted and shows contact details in clear where ``viewer`` sees the child in full.
    """
    scope = ledger_scope(session, viewer, school_id, term_key)
    disclosure = Disclosure(viewer, contacts=True, clear=password is not None)
    advance = progress or (lambda n: None)
    book = new_workbook()
    roster_rows, masked = write_roster(session, book, scope, disclosure, advance)
    sheets = {
        "留守儿童花名册": roster_rows,
        "结对帮扶": write_pairings(session, book, scope, disclosure, advance),
    }
    for record_sheet in (talk_sheet(registry), *type_sheets(registry)):
        sheets[record_sheet.title] = write_record_sheet(
            session, book, scope, disclosure, record_sheet, advance
        )
    sheets[PLANS] = write_plans(session, book, scope, disclosure, advance)
    sheets["活动开展"] = write_activities(session, book, scope, registry, advance)
    targets = write_summary(session, book, scope, disclosure, registry, today or date.today())
    save(book, path, password=password)
    return LedgerSummary(
        path=Path(path),
        term_key=scope.term.key if scope.term is not None else None,
        school_ids=scope.school_ids,
        schools=len(scope.school_names),
        sheets=sheets,
        masked_rows=masked,
        key_targets=targets,
        protected=password is not None,
    )
