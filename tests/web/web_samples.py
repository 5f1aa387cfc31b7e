"""A school whose teachers open their links on a phone, for the web server's tests.

The demo school (10 children, with invented ID numbers, addresses and guardians' phones), a
coordinator's account, the 2026 autumn term planned and ticked to a Monday in September, and a
link for two teachers: T014, pairing teacher of children 1-5 (four talks due), and T003, head
teacher of a class (a class meeting, a family call and a talk due). ``phone(school)`` is a
Starlette TestClient on an app of the teacher's pages and their static files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import Engine, select
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.models import Account, Activity, Child, Guardian, Parent, Task, Teacher
from guanai.core.pm import build_plugin_manager
from guanai.core.schools import SCHOOL_TIMEZONE
from guanai.service import Guanai
from guanai.web.app import STATIC
from guanai.web.context import WebContext
from guanai.web.pages import page_routes

NOW = datetime(2026, 9, 21, 8, tzinfo=SCHOOL_TIMEZONE)  # a Monday
PAIRING_TEACHER = "T014"
HEAD_TEACHER = "T003"


@dataclass
class PhoneSchool:
    engine: Engine
    ctx: WebContext
    coordinator: Guanai
    tokens: dict[str, str]  # teacher code -> link token
    link_ids: dict[str, int]

    def task_of(self, teacher_code: str, activity_type: str, step: str | None = None) -> int:
        """The first open task of ``teacher_code`` of that type (and step), by day."""
        with transaction(self.engine) as session:
            query = (
                select(Task.id)
                .join(Activity, Activity.id == Task.activity_id)
                .join(Teacher, Teacher.id == Task.assignee_id)
                .where(
                    Teacher.code == teacher_code,
                    Activity.type == activity_type,
                    Task.state == "due",
                )
                .order_by(Task.scheduled_on, Task.id)
            )
            if step is not None:
                query = query.where(Task.step == step)
            found = session.scalars(query).first()
            assert found is not None
            return found

    def private_details(self) -> set[str]:
        """Every child's ID number, home address and family phones and addresses."""
        with transaction(self.engine) as session:
            values: set[str | None] = set()
            for child in session.scalars(select(Child)):
                values |= {child.id_number, child.home_address}
            for guardian in session.scalars(select(Guardian)):
                values |= {guardian.phone, guardian.address}
            for parent in session.scalars(select(Parent)):
                values |= {parent.phone, parent.unit_address, parent.unit_phone}
        return {value for value in values if value}


def phone_school(engine: Engine) -> PhoneSchool:
    with transaction(engine) as session:
        create_demo_school(session, children=10)
        session.add(Account(name="关爱办", role="coordinator", school_id=1))
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url)
    pm = build_plugin_manager(load_entry_points=False)
    coordinator = Guanai(settings, pm, "关爱办", engine=engine, clock=lambda: NOW)
    coordinator.plan()
    coordinator.tick()
    links = {code: coordinator.issue_teacher_link(code) for code in (PAIRING_TEACHER, HEAD_TEACHER)}
    return PhoneSchool(
        engine,
        WebContext(settings, pm, engine, clock=lambda: NOW),
        coordinator,
        {code: link.token for code, link in links.items()},
        {code: link.link_id for code, link in links.items()},
    )


@pytest.fixture
def school(engine: Engine) -> PhoneSchool:
    return phone_school(engine)


def pages_app(ctx: WebContext) -> Starlette:
    """The teacher's pages and their static files, as ``guanai serve`` mounts them."""
    return Starlette(
        routes=[*page_routes(ctx), Mount("/static", StaticFiles(directory=STATIC), name="static")]
    )


@pytest.fixture
def phone(school: PhoneSchool) -> Iterator[TestClient]:
    """A phone's browser on the pages: it keeps cookies and does not follow redirects."""
    with TestClient(pages_app(school.ctx), follow_redirects=False) as client:
        yield client


def signed_in(client: TestClient, school: PhoneSchool, teacher: str = PAIRING_TEACHER) -> None:
    answer = client.get(f"/t/{school.tokens[teacher]}")
    assert answer.status_code == 303, answer.text
