"""The registry a process reads with: the plugins' activity types and the planned terms'.

A calendar's own activity types (:mod:`guanai.core.calendar_activities`) are stored with the
term when it is planned (``Term.calendar_source``). Any process (a daemon, a web server, the
next command) that meets a task of such a type reads them back here, in the same transaction
as the task, so a type is known wherever its tasks are. The registry is rebuilt only when a
term was planned since (a change in the terms' ``planned_at``); otherwise it costs one small
query.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.errors import CalendarError
from guanai.core.models import Term
from guanai.core.record_days import stored_calendar

log = logging.getLogger(__name__)
_lock = threading.Lock()
_PLANNED = select(Term.id, Term.planned_at).order_by(Term.id)


def registry_in(session: Session, plugins: ActivityRegistry) -> ActivityRegistry:
    """``plugins`` and the activity types of every planned term's calendar, as stored in the
    database ``session`` reads. Where two terms define one name, the one planned last wins; a
    stored type whose name a plugin has taken since is left out, with a warning."""
    planned = tuple(tuple(row) for row in session.execute(_PLANNED))
    with _lock:
        if plugins.stored is not None and plugins.stored[0] == planned:
            return plugins.stored[1]
    registry = plugins
    terms = session.execute(
        select(Term.key, Term.calendar_source).order_by(
            Term.planned_at.asc().nulls_first(), Term.id
        )
    )
    for key, text in terms:
        try:
            calendar = stored_calendar(key, text)
            registry = registry.including(key, calendar.activities, calendar.source)
        except CalendarError as error:
            log.warning("%s", error.label.en)
    with _lock:
        plugins.stored = (planned, registry)
    return registry
