"""Repairing tasks left open although their work is recorded (see :mod:`guanai.core.repair`).

Finding and repairing them is the coordinator's, for their own school: the repair writes the
school's tasks, and what it lists names the school's children.
"""

from __future__ import annotations

from datetime import datetime

from guanai.core import db
from guanai.core.repair import StuckTask, repair_stuck_tasks, stuck_counts, stuck_tasks
from guanai.service.base import ServiceBase
from guanai.service.scope import school_for


class RepairActions(ServiceBase):
    def stuck_tasks(self, school_code: str | None = None) -> list[StuckTask]:
        """The tasks of the account's school (or ``school_code``'s) that have a record but
        are not done, changing nothing: what :meth:`repair` would mark done."""
        with self.reading("repair") as (session, viewer):
            school = school_for(session, viewer, school_code)
            return stuck_tasks(session, viewer, self.types(session), school)

    def repair(
        self, school_code: str | None = None, now: datetime | None = None
    ) -> list[StuckTask]:
        """Mark done, in one transaction, the school's tasks that have a record but are not
        done: completed when and by whom their record was written, audited (``repair``) under
        the acting account. Returns them as they were. No plugin is told: each completion
        was announced (``task_completed``) when it was recorded."""
        with self.acting("repair") as (session, viewer):
            school = school_for(session, viewer, school_code)
            return repair_stuck_tasks(
                session,
                viewer,
                self.types(session),
                school,
                actor=self.actor,
                now=now or self.now(),
            )

    def stuck_task_counts(self) -> dict[str, int]:
        """How many such tasks each school of the database has, by school code: a fact about
        the database (counts, no child), for whoever upgrades it (``guanai init``)."""
        self.require_current_database()
        with db.session_factory(self.engine)() as session:
            return stuck_counts(session)
