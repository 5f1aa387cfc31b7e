"""Testing a reminder channel: its settings, an outbox of queued reminders, delivery rounds.

``guanai_channel`` is a pytest fixture (registered with the other ``guanai.testing``
fixtures). ``guanai_channel(name, options)`` returns a :class:`ChannelRig` on the demo school
of ``guanai_school``, with ``[reminders] channels = [name]`` and ``options`` as the
``[channels.NAME]`` table, exactly as ``guanai run`` would read them::

    def test_my_channel_sends_the_digests(guanai_channel):
        rig = guanai_channel("pager", {"url": "https://pager.example/api"})
        assert rig.queue("2026-09-15T08:00") > 0   # plan the term, tick: digests queued
        report = rig.deliver()                     # one delivery round through the channel
        assert report.sent == len(rig.channel.sent) and rig.states() == {"sent": report.sent}

The channel is found the way production finds it: by name among the channels of
``guanai_pm`` (an installed plugin, or one listed in ``guanai_plugins``). It is opened once,
when the rig is made (so a wrong option fails there, naming the key, as ``guanai run`` does at
start), kept open across rounds, and closed after the test. Everything goes through the
service, acting as the coordinator ``test``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

from guanai.core.i18n import Label
from guanai.testing.clock import FrozenClock, aware

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from guanai.core.calendar import TermCalendar
    from guanai.core.engine import TickReport
    from guanai.core.pm import GuanaiPluginManager
    from guanai.core.reminders.channels import Channel
    from guanai.core.reminders.dispatch import DispatchReport
    from guanai.testing.harness import DemoSchool

WORKER = "test"


class ChannelRig:
    """One channel, switched on alone, over a demo school's outbox."""

    def __init__(
        self,
        name: str,
        options: Mapping[str, Any],
        *,
        pm: GuanaiPluginManager,
        engine: Engine,
        clock: FrozenClock,
        calendar: TermCalendar,
        school: DemoSchool,
        language: str = "zh",
    ) -> None:
        from guanai.core.config import ReminderSettings, Settings
        from guanai.service import Guanai

        if name not in pm.channel_types():
            installed = ", ".join(sorted(pm.channel_types())) or "-"
            pytest.fail(
                f"no reminder channel {name!r} is registered (registered: {installed}): install "
                "its plugin or list it in the guanai_plugins fixture",
                False,
            )
        self.name = name
        self.pm = pm
        self.clock = clock
        self.calendar = calendar
        self.settings = Settings(
            database_url=engine.url.render_as_string(hide_password=False),
            language=language,
            term=calendar.key,
            reminders=ReminderSettings(channels=[name]),
            channels={name: dict(options)},
            source="guanai_channel",
        )
        self.service = Guanai(
            self.settings,
            pm,
            WORKER,
            engine=engine,
            clock=lambda: clock.now,
            school_code=school.code,
        )
        self.dispatcher = self.service.open_dispatcher(WORKER)
        self._planned = False

    @property
    def channel(self) -> Channel:
        """The open channel instance: what it sent, if it keeps a record, is on it."""
        return self.dispatcher.channels[self.name]

    def queue(self, at: datetime | str | None = None) -> int:
        """Plan the term (once) and tick at ``at`` (default: the clock's now), as the daemon
        does: the reminders due then are queued for the channel. Returns how many."""
        from guanai.testing.harness import fail_on_problems

        now = self.clock.now if at is None else aware(at, self.calendar.timezone)
        since = len(self.pm.problems)
        if not self._planned:
            self.service.plan(self.calendar)
            self._planned = True
        report: TickReport = self.service.tick(now)
        fail_on_problems(self.pm, since, Label("排队提醒", "queueing reminders"))
        return report.reminders_queued

    def deliver(self, at: datetime | str | None = None) -> DispatchReport:
        """One delivery round at ``at`` (default: the clock's now): every ready reminder of
        the channel sent once, each result recorded (sent, to retry, failed)."""
        now = self.clock.now if at is None else aware(at, self.calendar.timezone)
        return self.dispatcher.dispatch(now)

    def states(self) -> Counter[str]:
        """The channel's reminders by state (``pending``, ``sending``, ``sent``, ``failed``)."""
        counts = Counter[str]()
        for (state, channel), n in self.service.outbox_counts().items():
            if channel == self.name:
                counts[state] += n
        return counts

    def retry(self) -> int:
        """Queue the failed reminders again, as ``guanai outbox retry --all``; how many."""
        return self.service.retry_outbox()

    def close(self) -> None:
        for channel in self.dispatcher.channels.values():
            channel.close()


OpenChannel = Callable[..., ChannelRig]
"""``guanai_channel(name, options=None, *, language="zh")``: a :class:`ChannelRig`."""


@pytest.fixture
def guanai_channel(
    guanai_pm: GuanaiPluginManager,
    guanai_engine: Engine,
    guanai_clock: FrozenClock,
    guanai_calendar: TermCalendar,
    guanai_school: DemoSchool,
) -> Iterator[OpenChannel]:
    """Open a channel on the demo school's outbox; see the module's docstring."""
    opened: list[ChannelRig] = []

    def open_channel(
        name: str, options: Mapping[str, Any] | None = None, *, language: str = "zh"
    ) -> ChannelRig:
        rig = ChannelRig(
            name,
            options or {},
            pm=guanai_pm,
            engine=guanai_engine,
            clock=guanai_clock,
            calendar=guanai_calendar,
            school=guanai_school,
            language=language,
        )
        opened.append(rig)
        return rig

    yield open_channel
    for rig in opened:
        rig.close()
