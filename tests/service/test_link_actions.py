"""Teachers' personal links: random, stored hashed, revocable and rotatable; acting as the
teacher's own account; a coordinator's to hand out, for their own school."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from guanai import Guanai, GuanaiError, IssuedTeacherLink
from guanai.core.access import AccessError
from guanai.core.config import FeedSettings, Settings
from guanai.core.demo import create_demo_school
from guanai.core.models import Account, SchoolClass, Teacher, TeacherLink
from guanai.core.pm import build_plugin_manager
from guanai.core.secret_tokens import hash_token
from guanai.core.teacher_links import REMINDER, csrf_matches, csrf_token, issue_link
from guanai.service.phone_sessions import PhoneSessions

NOW = datetime(2026, 9, 7, 8, tzinfo=UTC)


@pytest.fixture
def schools(session: Session) -> None:
    create_demo_school(session, children=10)
    create_demo_school(session, code="OTHER", children=10)
    session.add(Account(name="关爱办", role="coordinator", school_id=1))
    session.commit()


def service(engine: Engine, actor: str = "关爱办", base_url: str = "") -> Guanai:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        feeds=FeedSettings(base_url=base_url),
    )
    return Guanai(
        settings,
        build_plugin_manager(load_entry_points=False),
        actor,
        engine=engine,
        clock=lambda: NOW,
    )


def test_a_link_is_shown_once_and_stored_as_its_hash(engine, schools, session):
    link = service(engine, base_url="https://care.example.cn/").issue_teacher_link("T001")
    assert isinstance(link, IssuedTeacherLink)
    assert link.path == f"/t/{link.token}" and len(link.token) == 43
    assert link.url == f"https://care.example.cn/t/{link.token}"
    stored = session.get_one(TeacherLink, link.link_id)
    assert stored.token_hash == hash_token(link.token) != link.token
    assert stored.created_by == "关爱办" and stored.expires_at is None


def test_a_link_acts_as_the_teachers_account_created_when_missing(engine, schools, session):
    first = service(engine).issue_teacher_link("T001")
    again = service(engine).issue_teacher_link("T001")
    assert first.account_created and not again.account_created
    assert first.account_name == again.account_name == "DEMO-T001"
    account = session.scalars(select(Account).where(Account.name == "DEMO-T001")).one()
    assert account.teacher_id is not None


def test_a_class_head_teachers_account_sees_their_class(engine, schools, session):
    heads = set(
        session.scalars(select(SchoolClass.head_teacher_id).where(SchoolClass.school_id == 1))
    )
    head = session.scalars(select(Teacher).where(Teacher.id.in_(heads))).first()
    other = session.scalars(
        select(Teacher).where(Teacher.school_id == 1, Teacher.id.not_in(heads))
    ).first()
    assert head is not None and other is not None
    codes = [(head.code, "head_teacher"), (other.code, "teacher")]
    session.rollback()  # end the read: what the service writes is seen below
    names = {service(engine).issue_teacher_link(code).account_name: role for code, role in codes}
    roles = {name: role for name, role in session.execute(select(Account.name, Account.role))}
    assert {name: roles[name] for name in names} == names


def test_signing_in_opens_a_session_that_revoking_the_link_ends(engine, schools):
    coordinator = service(engine)
    link = coordinator.issue_teacher_link("T001")
    phones = PhoneSessions(engine, clock=lambda: NOW)
    cookie = phones.sign_in(link.token)
    assert cookie is not None and cookie != link.token
    signed_in = phones.signed_in(cookie)
    assert signed_in is not None and signed_in.account_name == "DEMO-T001"
    coordinator.revoke_teacher_link(link.link_id)
    assert phones.signed_in(cookie) is None
    assert phones.sign_in(link.token) is None
    with pytest.raises(GuanaiError, match="已于"):
        coordinator.revoke_teacher_link(link.link_id)


def test_rotating_gives_a_new_token_and_the_old_one_stops(engine, schools):
    coordinator = service(engine)
    old = coordinator.issue_teacher_link("T001")
    new = coordinator.rotate_teacher_link(old.link_id)
    phones = PhoneSessions(engine, clock=lambda: NOW)
    assert new.token != old.token and new.account_name == old.account_name
    assert phones.sign_in(old.token) is None and phones.sign_in(new.token) is not None
    assert [row.id for row in coordinator.teacher_links()] == [new.link_id]
    listed = coordinator.teacher_links(include_revoked=True)
    assert [(row.id, row.revoked_at is not None) for row in listed] == [
        (old.link_id, True),
        (new.link_id, False),
    ]


def test_a_reminders_link_expires_after_a_week(engine, schools, session):
    service(engine).issue_teacher_link("T001")
    account = session.scalars(select(Account).where(Account.name == "DEMO-T001")).one()
    issued = issue_link(session, account=account, actor="reminders", now=NOW, purpose=REMINDER)
    session.commit()
    assert PhoneSessions(engine, clock=lambda: NOW + timedelta(days=6)).sign_in(issued.token)
    assert (
        PhoneSessions(engine, clock=lambda: NOW + timedelta(days=8)).sign_in(issued.token) is None
    )


def test_malformed_and_unknown_tokens_sign_nobody_in(engine, schools):
    phones = PhoneSessions(engine, clock=lambda: NOW)
    assert phones.sign_in("x" * 43) is None
    assert phones.sign_in("../../etc/passwd") is None
    assert phones.signed_in("") is None


def test_only_a_coordinator_of_the_links_school_manages_it(engine, schools, session):
    link = service(engine).issue_teacher_link("T001")
    with pytest.raises(AccessError):
        service(engine, actor="DEMO-T001").issue_teacher_link("T002")
    session.add(Account(name="other", role="coordinator", school_id=2))
    session.commit()
    with pytest.raises(AccessError):
        service(engine, actor="other").revoke_teacher_link(link.link_id)
    assert service(engine, actor="other").teacher_links() == []


def test_a_forms_csrf_token_belongs_to_its_session():
    assert csrf_matches("a" * 43, csrf_token("a" * 43))
    assert not csrf_matches("a" * 43, csrf_token("b" * 43))
    assert not csrf_matches("a" * 43, None)
