"""Testing a dashboard panel: the real app on a service, and waiting until it has settled.

``guanai_dashboard`` is a pytest fixture (registered with the other ``guanai.testing``
fixtures); ``settle`` can be used on its own, e.g. as a snapshot test's ``run_before``::

    async def test_my_panel(guanai_dashboard):
        async with guanai_dashboard(size=(100, 30)) as pilot:
            await pilot.press("2")
            await settle(pilot)
            assert ...

Without a service, ``guanai_dashboard()`` builds one on the ``guanai_engine`` test database
with ``guanai_pm`` and ``guanai_clock``, acting as ``actor`` (default ``"tester"``: with no
accounts, the coordinator); pass ``service=`` to run on another database or clock.

:func:`settle` never sleeps a fixed time: it waits until no worker of the app is running
(a panel reads in a worker, whose result is put on screen before the worker finishes), then
until the screen has processed what that queued, every animation is done and every table has
measured its rows, and repeats while that started new workers; then it draws the screen again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from guanai.service import Guanai
    from guanai.tui import GuanaiApp

DEFAULT_SIZE = (80, 24)

OpenDashboard = Callable[..., AbstractAsyncContextManager["Pilot[None]"]]
"""``guanai_dashboard(service=None, *, actor="tester", size=(80, 24), settled=True)``: an async context
manager that runs the app and yields its pilot."""


def _running(app: Any) -> list[Any]:
    return [worker for worker in app.workers if not worker.is_finished]


def _tables_unmeasured(app: Any) -> bool:
    """Whether a table on screen has rows it has not measured yet.

    Textual's DataTable measures new rows and changed cells on its next Idle event, which a
    busy machine may deliver after the app looks idle; a screenshot taken before it shows cut
    columns. Textual has no public flag for it, so this reads the table's two pending-work
    attributes (Textual is pinned exactly in the test extra; tests/test_testing.py
    checks the attributes still mean this)."""
    from textual.widgets import DataTable

    return any(
        table._require_update_dimensions or table._updated_cells
        for table in app.screen.query(DataTable)
    )


async def settle(pilot: Pilot[Any], quiet_rounds: int = 2) -> None:
    """Wait until every worker of the app has finished and the screen shows their results.

    A round waits for the running workers (a finished worker leaves the app's list), then for
    the screen to process what they queued (``pause``) and for animations. It returns after
    ``quiet_rounds`` rounds in a row found no worker: a message handled late (a tab activated
    after mounting, on a busy machine) may still start one after a first quiet round.
    """
    app = pilot.app
    quiet = 0
    while quiet < quiet_rounds:
        await pilot.pause()
        running = _running(app)
        # a worker that failed or was cancelled has finished too; its error is the test's
        # business (exit_on_error), not the waiting's
        await asyncio.gather(*(worker.wait() for worker in running), return_exceptions=True)
        await pilot.wait_for_scheduled_animations()
        quiet = 0 if running or _tables_unmeasured(app) else quiet + 1
    _redraw(app)
    await pilot.pause()


def _redraw(app: Any) -> None:
    """Draw every widget of the screen again, from what it holds now.

    A DataTable keeps each cell it drew in a cache whose key does not hold the column's width
    (Textual 8.2): a cell drawn before the table measured its rows can be drawn again from it,
    cut to the old width (seen on a busy machine: the header and most rows cut, the cursor's
    and the hovered row whole). Textual has no public way to empty it, so this calls the
    table's ``_clear_caches`` (tests/test_testing.py checks it still empties that cache)."""
    from textual.widgets import DataTable

    for widget in app.screen.query("*"):
        if isinstance(widget, DataTable):
            widget._clear_caches()
        widget.refresh()


@asynccontextmanager
async def run_dashboard(
    app: GuanaiApp, *, size: tuple[int, int] = DEFAULT_SIZE, settled: bool = True
) -> AsyncIterator[Pilot[None]]:
    """Run ``app`` headless at ``size``; yields its pilot, settled first unless told not."""
    async with app.run_test(size=size) as pilot:
        if settled:
            await settle(pilot)
        yield pilot


@pytest.fixture
def guanai_dashboard(request: pytest.FixtureRequest) -> OpenDashboard:
    """Open the real dashboard app; see the module's docstring."""

    def default_service(actor: str) -> Guanai:
        from guanai.core.config import Settings
        from guanai.service import Guanai

        engine = request.getfixturevalue("guanai_engine")
        clock = request.getfixturevalue("guanai_clock")
        return Guanai(
            Settings(database_url=str(engine.url)),
            request.getfixturevalue("guanai_pm"),
            actor,
            engine=engine,
            clock=lambda: clock.now,
        )

    def open_dashboard(
        service: Guanai | None = None,
        *,
        actor: str = "tester",
        size: tuple[int, int] = DEFAULT_SIZE,
        settled: bool = True,
    ) -> AbstractAsyncContextManager[Pilot[None]]:
        from guanai.tui import GuanaiApp

        app = GuanaiApp(service or default_service(actor))
        return run_dashboard(app, size=size, settled=settled)

    return open_dashboard
