"""The activity types the loaded plugins registered, by name.

The plugin manager builds it (:meth:`guanai.core.pm.GuanaiPluginManager.activity_registry`)
from what the ``register_activity_types`` hook registered, already validated, with duplicates
refused; the rest of the domain only reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from guanai.core.activity import ActivityType


@dataclass
class ActivityRegistry:
    """The activity types registered by all plugins, by name, with the plugin that registered
    each (``owners``)."""

    types: dict[str, type[ActivityType]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> ActivityType:
        return self.types[name]()

    def __contains__(self, name: object) -> bool:
        return name in self.types

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.types))
