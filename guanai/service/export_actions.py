"""Writing records out: the roster and the bureau's ledgers (台账) as .xlsx files.

Safe by default: a roster export leaves contact details out, a ledger masks them; contact
details in clear need a password (the file is then encrypted). Each file written is kept in
the audit trail under the acting account.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from guanai.core.access import require_school
from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.ledgers import LedgerSummary, write_ledger
from guanai.core.roster.export import ExportSummary, audit_output, count_children, export_roster
from guanai.core.schools import school_by_code
from guanai.service.base import ServiceBase
from guanai.service.scope import school_for

MIN_PASSWORD = 6

Started = Callable[[int | None], Callable[[int], None]]
"""Called once the total is known (None: unknown); returns what to call as rows are written."""


def _xlsx(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise GuanaiError(
            Label(f"只能导出为 .xlsx 文件：{path}", f"the file must be an .xlsx file: {path}")
        )


def _strong_enough(password: str | None) -> None:
    if password is not None and len(password) < MIN_PASSWORD:
        raise GuanaiError(
            Label(
                f"密码至少 {MIN_PASSWORD} 个字符",
                f"the password needs at least {MIN_PASSWORD} characters",
            )
        )


def _ignore(_total: int | None) -> Callable[[int], None]:
    return lambda _n: None


class ExportActions(ServiceBase):
    """The roster export (coordinators) and the ledgers (coordinators, the bureau)."""

    def export_roster(
        self,
        path: Path,
        *,
        school_code: str | None = None,
        with_contacts: bool = False,
        password: str | None = None,
        started: Started = _ignore,
    ) -> ExportSummary:
        """Write the school's roster to the .xlsx ``path`` (re-importable). Contact details
        are left out unless ``password`` encrypts the file or ``with_contacts`` accepts an
        unprotected one."""
        _xlsx(path)
        _strong_enough(password)
        with self.acting("export_roster", snapshot=True) as (session, viewer):
            school = school_for(session, viewer, school_code)
            summary = export_roster(
                session,
                path,
                school_id=school,
                viewer=viewer,
                with_contacts=with_contacts,
                password=password,
                progress=started(count_children(session, school)),
            )
            audit_output(
                session,
                actor=self.actor,
                now=self.now(),
                action="export",
                path=path,
                school_ids=[school],
                detail={
                    "rows": summary.rows,
                    "masked_rows": summary.masked_rows,
                    "contacts": summary.contacts,
                    "protected": summary.protected,
                },
            )
            return summary

    def ledger(
        self,
        path: Path,
        *,
        term_key: str | None = None,
        school_code: str | None = None,
        password: str | None = None,
        started: Started = _ignore,
    ) -> LedgerSummary:
        """Write the bureau's ledgers of ``school_code`` (None: every school the account may
        see) for ``term_key`` (None: the term that started last). A bureau account always
        gets names and contact details masked."""
        _xlsx(path)
        _strong_enough(password)
        with self.acting("ledger", snapshot=True) as (session, viewer):
            school = None
            if school_code is not None:
                school = school_by_code(session, school_code).id
                require_school(viewer, school)
            now = self.now()
            summary = write_ledger(
                session,
                path,
                registry=self.types(session),
                viewer=viewer,
                term_key=term_key,
                school_id=school,
                password=password,
                today=now.date(),
                progress=started(None),
            )
            audit_output(
                session,
                actor=self.actor,
                now=now,
                action="ledger",
                path=path,
                school_ids=summary.school_ids,
                detail={
                    "term": summary.term_key,
                    "sheets": summary.sheets,
                    "masked_rows": summary.masked_rows,
                    "protected": summary.protected,
                },
            )
            return summary
