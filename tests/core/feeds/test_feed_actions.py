"""The service's feed actions: links only on a base URL, coordinators only, their school only;
and the ``[feeds] base_url`` setting they read."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from guanai import FeedRow, Guanai, GuanaiError, IssuedFeedLink
from guanai.cli import cli
from guanai.core.access import AccessError
from guanai.core.config import ConfigError, FeedSettings, Settings, load_settings
from guanai.core.demo import create_demo_school
from guanai.core.models import Account
from guanai.core.pm import build_plugin_manager

BASE = "https://care.example.cn"


@pytest.fixture(autouse=True)
def _no_base_url_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUANAI_FEEDS_BASE_URL", raising=False)


@pytest.fixture
def schools(session: Session) -> tuple[int, int]:
    """Two schools: DEMO and OTHER."""
    ids = (
        create_demo_school(session, children=10),
        create_demo_school(session, code="OTHER", children=10),
    )
    session.commit()
    return ids


def service(engine: Engine, actor: str = "李老师", base_url: str = "") -> Guanai:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        feeds=FeedSettings(base_url=base_url),
    )
    return Guanai(settings, build_plugin_manager(load_entry_points=False), actor, engine=engine)


def test_without_a_base_url_a_feed_has_its_path_and_no_link(engine, schools):
    link = service(engine).issue_feed(teacher_code="T001", school_code="DEMO")
    assert isinstance(link, IssuedFeedLink)
    assert (link.url, link.webcal_url) == (None, None)
    assert link.path == f"/feeds/{link.token}.ics" and link.term_key == "2026-autumn"
    assert not link.term_planned


def test_the_link_is_built_on_the_setting_or_the_base_url_given(engine, schools):
    configured = service(engine, base_url=BASE + "/")
    assert configured.feed_base_url == BASE + "/"
    link = configured.issue_feed(class_name="一年级1班", school_code="DEMO")
    assert link.url == f"{BASE}/feeds/{link.token}.ics"
    assert link.webcal_url == f"webcal://care.example.cn/feeds/{link.token}.ics"
    rotated = configured.rotate_feed(link.subscription_id, base_url="https://other.cn")
    assert rotated.url == f"https://other.cn/feeds/{rotated.token}.ics"
    assert rotated.token != link.token and rotated.label == link.label == "一年级1班"


def test_exactly_one_scope_is_chosen(engine, schools):
    with pytest.raises(GuanaiError, match="之一"):
        service(engine).issue_feed(teacher_code="T001", school_wide=True, school_code="DEMO")


def test_list_revoke_and_export(engine, schools, tmp_path: Path):
    actions = service(engine)
    kept = actions.issue_feed(school_wide=True, school_code="DEMO")
    gone = actions.issue_feed(teacher_code="T001", school_code="DEMO")
    assert actions.export_ics(tmp_path / "ics") == (2, 0)
    actions.revoke_feed(gone.subscription_id)
    rows = actions.list_feeds()
    assert [row.id for row in rows] == [kept.subscription_id]
    assert isinstance(rows[0], FeedRow) and rows[0].school_code == "DEMO"
    assert [row.revoked_at is not None for row in actions.list_feeds(include_revoked=True)] == [
        False,
        True,
    ]
    assert actions.export_ics(tmp_path / "ics") == (1, 1)
    assert sorted(p.name for p in (tmp_path / "ics").iterdir()) == [f"{kept.slug}.ics"]


def test_only_coordinators_manage_feeds_and_a_bound_one_only_their_school(engine, session, schools):
    _, other = schools
    session.add_all(
        [
            Account(name="关爱办", role="coordinator"),
            Account(name="别校", role="coordinator", school_id=other),
            Account(name="王老师", role="teacher"),
            Account(name="教育局", role="bureau"),
        ]
    )
    session.commit()
    link = service(engine, "关爱办").issue_feed(school_wide=True, school_code="DEMO")
    for name in ("王老师", "教育局", "陌生人"):
        with pytest.raises(AccessError, match=name):
            service(engine, name).issue_feed(school_wide=True, school_code="DEMO")
        with pytest.raises(AccessError):
            service(engine, name).list_feeds()
    elsewhere = service(engine, "别校")
    with pytest.raises(AccessError, match="只能"):
        elsewhere.issue_feed(school_wide=True, school_code="DEMO")
    with pytest.raises(AccessError, match="只能"):
        elsewhere.revoke_feed(link.subscription_id)
    assert elsewhere.list_feeds() == []
    assert elsewhere.issue_feed(school_wide=True).label  # their own school, by default


def _run(database_url: str, *args: str):
    pm = build_plugin_manager(load_entry_points=False)
    pm.hook.register_commands(cli=cli)
    return CliRunner().invoke(cli, ["--db", database_url, "--as", "李老师", *args], obj=pm)


def test_the_cli_never_makes_up_a_link(database_url, schools):
    result = _run(database_url, "feeds", "issue", "--teacher", "T001", "--school", "DEMO")
    assert result.exit_code == 0, result.output
    assert "127.0.0.1" not in result.output and "webcal://" not in result.output
    assert "█" not in result.output  # no QR code
    assert "/feeds/" in result.output and "[feeds]" in result.output and "base_url" in result.output


def test_the_cli_builds_links_on_the_setting(database_url, schools, monkeypatch):
    monkeypatch.setenv("GUANAI_FEEDS_BASE_URL", BASE)
    result = _run(database_url, "feeds", "issue", "--all-school", "--school", "DEMO")
    assert result.exit_code == 0, result.output
    assert f"{BASE}/feeds/" in result.output and "webcal://care.example.cn/feeds/" in result.output
    assert "█" in result.output


def test_the_setting_is_read_from_the_file_with_the_variable_over_it(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[feeds]\nbase_url = "https://file.cn"\n', "utf-8")
    assert load_settings(config).feeds.base_url == "https://file.cn"
    monkeypatch.setenv("GUANAI_FEEDS_BASE_URL", "https://env.cn")
    assert load_settings(config).feeds.base_url == "https://env.cn"
    assert load_settings(tmp_path / "none.toml").feeds.base_url == "https://env.cn"


@pytest.mark.parametrize(
    "text",
    [
        '[feeds]\nbase_url = "care.example.cn"\n',
        '[feeds]\nbase_url = "https://care.example.cn/?a=1"\n',
        '[feeds]\nurl = "https://care.example.cn"\n',
        "[feeds]\nbase_url = 8080\n",
        'feeds = "https://care.example.cn"\n',
    ],
)
def test_a_wrong_feeds_setting_is_named(tmp_path, text):
    config = tmp_path / "config.toml"
    config.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match="feeds"):
        load_settings(config)


def test_a_loopback_link_given_on_purpose_is_flagged(database_url, schools):
    result = _run(
        database_url, "feeds", "issue", "--all-school", "--school", "DEMO",
        "--base-url", "http://127.0.0.1:8080", "--no-qr",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8080/feeds/" in result.output and "本机地址" in result.output
