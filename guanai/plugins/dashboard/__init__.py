"""The dashboard's built-in panels, registered through ``register_panels`` like any plugin's.

Textual is imported inside the hook, so the command line never loads it.
"""

from __future__ import annotations

from collections.abc import Callable

from guanai import hookimpl


@hookimpl
def register_panels(register: Callable[[type], None]) -> None:
    from guanai.plugins.dashboard.case_plans import CasePlansPanel
    from guanai.plugins.dashboard.children import ChildrenPanel
    from guanai.plugins.dashboard.plugins_panel import PluginsPanel
    from guanai.plugins.dashboard.reminders import RemindersPanel
    from guanai.plugins.dashboard.teachers import TeachersPanel
    from guanai.plugins.dashboard.term import TermPanel
    from guanai.plugins.dashboard.today import TodayPanel

    register(TodayPanel)
    register(TermPanel)
    register(ChildrenPanel)
    register(CasePlansPanel)
    register(TeachersPanel)
    register(RemindersPanel)
    register(PluginsPanel)
