"""Who sees what: roles decide which children a user sees in full."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from guanai.core.access import AccessError, Viewer, sees_in_full, viewer_for
from guanai.core.accounts import add_account, remove_account
from guanai.core.demo import create_demo_school
from guanai.core.models import Child, Pairing, SchoolClass, Teacher

NOW = datetime(2026, 9, 1, tzinfo=UTC)
COORDINATOR = Viewer("owner", "coordinator")


@pytest.fixture
def school(session) -> int:
    school_id = create_demo_school(session, children=40)
    session.flush()
    return school_id


def visible(session, viewer: Viewer) -> set[int]:
    return set(session.scalars(select(Child.id).where(sees_in_full(viewer))))


def test_an_install_without_accounts_is_run_by_its_coordinator(session, school) -> None:
    assert viewer_for(session, "anyone").role == "coordinator"


def test_once_accounts_exist_an_unknown_user_is_refused(session, school) -> None:
    add_account(
        session,
        COORDINATOR,
        name="关爱办",
        role="coordinator",
        school_code="DEMO",
        teacher_code=None,
    )
    assert viewer_for(session, "关爱办").role == "coordinator"
    with pytest.raises(AccessError, match="anyone"):
        viewer_for(session, "anyone")


def test_the_first_account_must_be_a_coordinator(session, school) -> None:
    with pytest.raises(AccessError):
        add_account(
            session, COORDINATOR, name="bureau", role="bureau", school_code=None, teacher_code=None
        )


def test_the_last_coordinator_cannot_be_removed(session, school) -> None:
    add_account(
        session,
        COORDINATOR,
        name="关爱办",
        role="coordinator",
        school_code="DEMO",
        teacher_code=None,
    )
    with pytest.raises(AccessError):
        remove_account(session, viewer_for(session, "关爱办"), "关爱办")


def test_a_teacher_sees_only_their_paired_children_and_a_head_teacher_also_their_class(
    session, school
) -> None:
    pairing = session.scalars(select(Pairing).order_by(Pairing.id)).first()
    teacher = session.get(Teacher, pairing.teacher_id)
    add_account(
        session,
        COORDINATOR,
        name="关爱办",
        role="coordinator",
        school_code="DEMO",
        teacher_code=None,
    )
    add_account(
        session,
        COORDINATOR,
        name="t",
        role="teacher",
        school_code="DEMO",
        teacher_code=teacher.code,
    )
    paired = set(
        session.scalars(
            select(Pairing.child_id).where(
                Pairing.teacher_id == teacher.id, Pairing.ended_on.is_(None)
            )
        )
    )
    assert visible(session, viewer_for(session, "t")) == paired

    klass = session.scalars(select(SchoolClass).order_by(SchoolClass.id)).first()
    head = session.get(Teacher, klass.head_teacher_id)
    add_account(
        session,
        COORDINATOR,
        name="h",
        role="head_teacher",
        school_code="DEMO",
        teacher_code=head.code,
    )
    own_class = set(session.scalars(select(Child.id).where(Child.class_id == klass.id)))
    assert own_class <= visible(session, viewer_for(session, "h"))
    assert len(visible(session, viewer_for(session, "h"))) < 40


def test_the_bureau_sees_no_child_in_full_and_the_coordinator_all(session, school) -> None:
    add_account(
        session,
        COORDINATOR,
        name="关爱办",
        role="coordinator",
        school_code="DEMO",
        teacher_code=None,
    )
    add_account(session, COORDINATOR, name="局", role="bureau", school_code=None, teacher_code=None)
    assert visible(session, viewer_for(session, "局")) == set()
    assert len(visible(session, viewer_for(session, "关爱办"))) == 40
