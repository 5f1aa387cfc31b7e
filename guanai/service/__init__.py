"""The application service: one object, every user action one method on it.

See :mod:`guanai.service.base` for what each action does around the core (transaction, access
rule, commit, announcement) and docs/architecture.md for where a new action goes.
"""

from __future__ import annotations

from guanai.service.account_actions import AccountActions
from guanai.service.agenda_reads import AgendaReads
from guanai.service.base import DatabaseError, ServiceBase, wall_clock
from guanai.service.case_plan_actions import CasePlanActions
from guanai.service.delivery_actions import DeliveryActions
from guanai.service.engine_actions import DemoSchoolReport, EngineActions
from guanai.service.export_actions import ExportActions
from guanai.service.feed_actions import FeedActions
from guanai.service.link_actions import LinkActions
from guanai.service.pairing_actions import PairingActions
from guanai.service.panel_reads import PanelReads
from guanai.service.reminder_actions import ReminderActions
from guanai.service.repair_actions import RepairActions
from guanai.service.roster_actions import RosterActions
from guanai.service.setup_actions import SetupActions
from guanai.service.task_reads import TaskReads


class Guanai(
    EngineActions,
    SetupActions,
    RosterActions,
    PairingActions,
    CasePlanActions,
    ExportActions,
    AccountActions,
    ReminderActions,
    DeliveryActions,
    RepairActions,
    AgendaReads,
    FeedActions,
    LinkActions,
    TaskReads,
    PanelReads,
):
    """guanai as one account uses it: settings, plugins, the database, the clock, the account.

    ``Guanai(settings, pm, actor, engine=..., clock=..., school_code=...)``; every method is
    one user action (its own transaction, the access rule, then the plugins told).
    """


__all__ = ["DatabaseError", "DemoSchoolReport", "Guanai", "ServiceBase", "wall_clock"]
