"""Data on the dashboard is shown as typed: never read as markup, never acting on the terminal.

A name stored before names were checked (or by another program) may hold ``[/b]``, which
Rich's markup parser refuses (the panel would fail), ``[@click=app.quit]``, which would make a
link that runs an action, or an ESC starting a terminal escape sequence.
"""

from __future__ import annotations

from _children_fixtures import children_app, open_children, rows, text
from rich.text import Text
from sqlalchemy import Engine, select, update

from guanai.core.db import transaction
from guanai.core.models import Child
from guanai.plugins.dashboard.child_card import ChildCardScreen

HOSTILE = "[/b][@click=app.quit]王\x1b]0;pwned\x07五[/]"
SHOWN = "[/b][@click=app.quit]王\\u001b]0;pwned\\u0007五[/]"


def shown(cell: str) -> str:
    """A table cell as DataTable shows a string: read as Rich markup."""
    return Text.from_markup(cell).plain


async def test_a_hostile_name_is_shown_as_typed_in_the_list_and_the_card(
    demo_engine: Engine, make_app, settle
) -> None:
    with transaction(demo_engine) as session:
        first = session.scalar(select(Child.id).order_by(Child.class_id, Child.student_no))
        session.execute(update(Child).where(Child.id == first).values(name=HOSTILE))
    app = children_app(make_app, demo_engine)
    async with app.run_test(size=(100, 24)) as pilot:
        await open_children(pilot, settle)
        assert shown(rows(app)[0][1]) == SHOWN
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChildCardScreen)
        assert text(app, "#card-title").startswith(SHOWN)
        assert shown(dict(rows(app, "#card-record-table"))["姓名"]) == SHOWN
