"""What a workflow's task list and the Plans panel look like, on the demo school at 2026-10-20
08:00.

Regenerate after a deliberate change, and look at the SVG before committing it:
``pytest tests/plugins/dashboard/test_snapshots_c.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from panel_keys import open_panel
from sqlalchemy import Engine
from test_activity_tasks import MEETING, move_to, open_workflow, tasks_table
from test_case_plans_panel import plans_of
from textual.pilot import Pilot

from guanai.tui import GuanaiApp

MakeApp = Callable[..., GuanaiApp]
Settle = Callable[[Pilot[None]], Awaitable[None]]


def test_snapshot_workflow_tasks_refusing_a_waiting_step(
    demo_engine: Engine, make_app: MakeApp, settle: Settle, snap_compare: Any
) -> None:
    """The guardian meetings: invitations first, then meetings waiting for them; r on one."""

    async def run_before(pilot: Pilot[None]) -> None:
        await open_workflow(pilot, settle, MEETING)
        await move_to(pilot, tasks_table(pilot.app), "召开监护人会")  # type: ignore[arg-type]
        await pilot.press("r")
        await settle(pilot)

    assert snap_compare(make_app(demo_engine), run_before=run_before, terminal_size=(80, 24))


def test_snapshot_case_plans(
    demo_engine: Engine, make_service: Callable[..., Any], settle: Settle, snap_compare: Any
) -> None:
    """Two plans; the learning-support plan under the cursor, shown beside the table."""
    service = make_service(demo_engine)
    plans_of(service, demo_engine)

    async def run_before(pilot: Pilot[None]) -> None:
        await open_panel(pilot, settle, "case_plans")
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(GuanaiApp(service), terminal_size=(100, 30), run_before=run_before)


def test_snapshot_case_plan_revision(
    demo_engine: Engine, make_service: Callable[..., Any], settle: Settle, snap_compare: Any
) -> None:
    """The learning-support plan opened for revision (e): its fields as they are now."""
    service = make_service(demo_engine)
    plans_of(service, demo_engine)

    async def run_before(pilot: Pilot[None]) -> None:
        await open_panel(pilot, settle, "case_plans")
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)

    assert snap_compare(GuanaiApp(service), terminal_size=(100, 40), run_before=run_before)
