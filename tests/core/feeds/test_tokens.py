"""Feed tokens: random, stored only as a hash, revocable and rotatable; and the CLI around them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.cli import cli
from guanai.core.demo import create_demo_school
from guanai.core.feeds.scope import FeedKey
from guanai.core.feeds.tokens import (
    FeedError,
    find_live,
    issue_feed,
    revoke_feed,
    rotate_feed,
)
from guanai.core.models import Account, FeedSubscription
from guanai.core.pm import build_plugin_manager
from guanai.core.secret_tokens import hash_token

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def _issue(session: Session, school_id: int):
    return issue_feed(
        session,
        scope="school",
        school_id=school_id,
        term_key="2026-autumn",
        label="全校",
        actor="test",
        now=NOW,
    )


def test_the_token_is_stored_only_as_its_hash(session: Session) -> None:
    school_id = create_demo_school(session, children=10)
    issued = _issue(session, school_id)
    session.commit()
    assert len(issued.token) >= 43  # 32 random bytes, URL-safe base64
    stored = session.scalars(select(FeedSubscription)).one()
    assert stored.token_hash == hash_token(issued.token) != issued.token
    assert issued.token not in repr(vars(stored))
    live = find_live(session.connection(), issued.token)
    assert live is not None and live.key == FeedKey.of(stored)
    assert find_live(session.connection(), "not-a-token") is None
    assert find_live(session.connection(), stored.token_hash) is None  # the hash is not a token


def test_revoked_tokens_are_not_found_and_rotation_issues_a_new_one(session: Session) -> None:
    school_id = create_demo_school(session, children=10)
    issued = _issue(session, school_id)
    revoke_feed(session, issued.subscription.id, NOW)
    assert find_live(session.connection(), issued.token) is None
    with pytest.raises(FeedError):
        revoke_feed(session, issued.subscription.id, NOW)
    second = _issue(session, school_id)
    rotated = rotate_feed(session, second.subscription.id, "test", NOW)
    assert find_live(session.connection(), second.token) is None
    found = find_live(session.connection(), rotated.token)
    assert found is not None and found.key == FeedKey.of(second.subscription)
    assert rotated.subscription.id != second.subscription.id
    assert rotated.subscription.slug != second.subscription.slug


def _run(database_url: str, *args: str, actor: str = "李老师"):
    pm = build_plugin_manager(load_entry_points=False)
    pm.hook.register_commands(cli=cli)
    return CliRunner().invoke(cli, ["--db", database_url, "--as", actor, *args], obj=pm)


def test_feeds_commands(database_url: str, session: Session) -> None:
    create_demo_school(session, children=10)
    session.commit()
    issued = _run(database_url, "feeds", "issue", "--teacher", "T001", "--base-url", "https://x.cn")
    assert issued.exit_code == 0, issued.output
    url = next(line for line in issued.output.splitlines() if line.startswith("https://x.cn"))
    assert "webcal://x.cn/feeds/" in issued.output and "█" in issued.output
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    listed = _run(database_url, "feeds", "list")
    assert listed.exit_code == 0 and token not in listed.output
    assert _run(database_url, "feeds", "rotate", "1", "--no-qr").exit_code == 0
    assert _run(database_url, "feeds", "revoke", "2").exit_code == 0
    session.expire_all()
    assert all(s.revoked_at for s in session.scalars(select(FeedSubscription)))
    assert _run(database_url, "feeds", "revoke", "9").exit_code == 1


def test_only_a_coordinator_manages_feeds(database_url: str, session: Session) -> None:
    create_demo_school(session, children=10)
    session.add(Account(name="王老师", role="teacher"))
    session.commit()
    result = _run(database_url, "feeds", "issue", "--all-school", actor="王老师")
    assert result.exit_code == 1 and "王老师" in result.output
    assert not session.scalars(select(FeedSubscription)).all()
