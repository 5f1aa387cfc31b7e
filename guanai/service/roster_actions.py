"""Roster imports and one child's record: import, the child's card, edits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from guanai.core.access import AccessError, sees_in_full
from guanai.core.child_card import ChildCard, child_card
from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.invariants import WriteRefusedError
from guanai.core.models import Child
from guanai.core.records import WriteSummary, update_child
from guanai.core.roster.checks import code
from guanai.core.roster.encrypted import decrypting_once
from guanai.core.roster.importer import ImportReport, RosterRejected, import_and_hand_over
from guanai.core.roster.setup_import import set_up_from_workbook, with_roster_problems
from guanai.service.base import ServiceBase
from guanai.service.scope import school_for

ImportProgress = Callable[[Label, int, int | None], None]
"""Called after each chunk of an import: the phase, rows done in it, its total if known."""


class RosterActions(ServiceBase):
    """Importing a roster and reading or editing one child's record."""

    def import_roster(
        self,
        path: Path,
        *,
        school_code: str | None = None,
        valid_only: bool = False,
        rejects: Path | None = None,
        now: datetime | None = None,
        progress: ImportProgress | None = None,
        password: str | None = None,
    ) -> ImportReport:
        """Import the roster at ``path`` into the school ``school_code`` (default: the
        account's own, else the only one), all or nothing unless ``valid_only``; the rows with
        problems go to ``rejects`` when given. Children whose pairing changed get their open
        pairing-teacher tasks handed over in the same transaction. ``password`` opens an
        encrypted workbook.

        A workbook with 学校, 教师 and 班级 sheets first sets the school up from them
        (:mod:`guanai.core.roster.setup_import`), in the same transaction: an empty database
        is set up whole, or nothing is written.

        Raises :class:`guanai.core.roster.importer.RosterRejected` (nothing written) when a
        row has a problem and ``valid_only`` is false, and whenever a set-up sheet has one."""
        if rejects is not None and rejects.resolve() == path.resolve():
            raise GuanaiError(
                Label("--rejects 不能是导入的文件本身", "--rejects cannot be the file itself")
            )

        def once() -> ImportReport:
            with decrypting_once(), self.acting("import_roster") as (session, viewer):
                when = now or self.now()
                reading: dict[str, Any] = {  # how the workbook is read, for both checks
                    "school_code": school_code,
                    "actor": self.actor,
                    "now": when,
                    "limits": self.settings.limits,
                    "password": password,
                }
                try:
                    setup = set_up_from_workbook(session, viewer, path, **reading)
                except RosterRejected as rejected:
                    raise with_roster_problems(session, viewer, rejected, path, **reading) from None
                if setup is not None and not setup.has_roster:
                    return ImportReport(path.name, setup=setup)
                school = (
                    school_for(session, viewer, school_code) if setup is None else setup.school_id
                )
                assert school is not None  # a workbook set up without a problem has its school
                report = import_and_hand_over(
                    session,
                    path,
                    self.types(session),
                    school_id=school,
                    actor=self.actor,
                    now=when,
                    daily_cap=self.settings.max_tasks_per_teacher_per_day,
                    valid_only=valid_only,
                    rejects_path=rejects,
                    progress=progress,
                    limits=self.settings.limits,
                    password=password,
                )
                report.setup = setup
                return report

        try:
            return once()
        except WriteRefusedError:
            # Another import stored an ID number or a student no. between this one's check and
            # its write (the database refused the duplicate): checked again, the rows that now
            # clash are named, as if the imports had run one after the other.
            return once()

    def child_card(self, student_no: str, school_code: str | None = None) -> ChildCard:
        """The card and history of one child, masked as the acting account may see it; the
        student no. as typed (２０２６２２０３１ is 202622031)."""
        student_no = code(student_no)
        with self.reading("read_child") as (session, viewer):
            return child_card(session, viewer, school_for(session, viewer, school_code), student_no)

    def edit_child(
        self,
        student_no: str,
        values: Mapping[str, str],
        *,
        school_code: str | None = None,
        now: datetime | None = None,
        source: str = "guanai child set",
    ) -> WriteSummary:
        """Change fields of one child's record (``values``: field header or key to the text
        typed, as a roster cell); the history keeps the old values. A coordinator edits any
        child of their school, a head teacher only those they see in full (their class, their
        paired children)."""
        student_no = code(student_no)  # as typed: full-width digits too
        with self.acting("edit_child") as (session, viewer):
            school = school_for(session, viewer, school_code)
            if viewer.role != "coordinator" and not session.scalar(
                select(sees_in_full(viewer)).where(
                    Child.school_id == school, Child.student_no == student_no
                )
            ):
                raise AccessError(
                    Label(
                        f"用户 {viewer.name} 只能修改本班或结对儿童的档案",
                        f"user {viewer.name} may only edit their own class's or paired "
                        "children's records",
                    )
                )
            return update_child(
                session,
                school,
                student_no,
                values,
                actor=self.actor,
                source=source,
                now=now or self.now(),
            )
