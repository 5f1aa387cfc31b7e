"""The activity types a process works with, by name: the plugins' and the calendars'.

The plugin manager builds the plugins' registry (:meth:`guanai.core.pm.GuanaiPluginManager.
activity_registry`) from what the ``register_activity_types`` hook registered, already
validated, with duplicates refused. A term calendar may define activity types of its own
(:mod:`guanai.core.calendar_activities`): planning adds them (:meth:`ActivityRegistry.including`),
and every later reader finds them in the planned terms' stored calendars
(:func:`guanai.core.term_types.registry_in`). The rest of the domain only reads a registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from guanai.core.activity import ActivityType
from guanai.core.calendar_reader import calendar_error

if TYPE_CHECKING:
    from pathlib import Path

    from guanai.core.calendar_activities import CalendarActivity

CALENDAR_OWNER = "calendar:"
"""How :attr:`ActivityRegistry.owners` names a calendar that defined a type: ``calendar:`` and
the term's key."""


@dataclass
class ActivityRegistry:
    """Activity types by name, with who registered each (``owners``): a plugin's name, or
    :data:`CALENDAR_OWNER` and a term's key."""

    types: dict[str, type[ActivityType]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    stored: tuple[Any, ActivityRegistry] | None = field(default=None, compare=False, repr=False)
    """The registry with the planned terms' types, and the terms it was built for (kept by
    :func:`guanai.core.term_types.registry_in`)."""

    def get(self, name: str) -> ActivityType:
        return self.types[name]()

    def __contains__(self, name: object) -> bool:
        return name in self.types

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.types))

    def case_type(self, kind: str) -> str | None:
        """The name of the type that runs the checks of case plans of ``kind`` (None: none)."""
        return next((name for name in self if self.types[name].case_plan == kind), None)

    def defined_by_calendars(self) -> dict[str, str]:
        """The names calendars defined, with the key of the term whose calendar defined each."""
        return {
            name: owner.removeprefix(CALENDAR_OWNER)
            for name, owner in self.owners.items()
            if owner.startswith(CALENDAR_OWNER)
        }

    def including(
        self, term_key: str, activities: dict[str, CalendarActivity], source: Path
    ) -> ActivityRegistry:
        """These types and the ``activities`` term ``term_key``'s calendar (file ``source``)
        defines, which replace another term's of the same name. A calendar may not take a
        plugin's name: that is a :class:`~guanai.core.errors.CalendarError` naming the file
        and key."""
        types, owners = dict(self.types), dict(self.owners)
        for name, defined in activities.items():
            owner = owners.get(name)
            if owner is not None and not owner.startswith(CALENDAR_OWNER):
                raise calendar_error(
                    source,
                    f"{defined.where}.name",
                    f"活动类型 {name!r} 已由插件 {owner} 注册，请换一个名字",
                    f"activity type {name!r} is already registered by plugin {owner}: "
                    "choose another name",
                )
            types[name] = defined.activity_type
            owners[name] = CALENDAR_OWNER + term_key
        return ActivityRegistry(types, owners)
