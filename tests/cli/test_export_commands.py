"""``guanai export`` and ``guanai ledger`` as a coordinator and a bureau viewer use them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from export_samples import fill_contact_cards, hand_made_school, is_zip, leaks, private_values
from export_samples import read_book as read
from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.cli import cli
from guanai.core.calendar import load_calendar
from guanai.core.db import make_engine, session_factory
from guanai.core.models import Account, AuditEvent
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager
from guanai.core.roster.columns import CHILD_COLUMNS

PASSWORD = "cli-secret"
PUBLIC = [c.header.zh for c in CHILD_COLUMNS if not c.private]


@pytest.fixture
def pm() -> GuanaiPluginManager:
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def run(database_url: str, pm: GuanaiPluginManager):
    runner = CliRunner()

    def invoke(*args: str, user: str = "李老师", stdin: str | None = None) -> Result:
        return runner.invoke(cli, ["--db", database_url, "--as", user, *args], obj=pm, input=stdin)

    return invoke


@pytest.fixture
def db(run, database_url: str, pm: GuanaiPluginManager):
    """An initialised database with the hand-made school and two accounts."""
    assert run("init").exit_code == 0
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        ids = hand_made_school(session, load_calendar("2026-autumn"), pm.activity_registry())
        fill_contact_cards(session, ids["school"])
        session.add_all(
            [
                Account(name="李老师", role="coordinator", school_id=ids["school"]),
                Account(name="王科长", role="bureau"),
            ]
        )
        session.commit()
        yield session, ids["school"]
    engine.dispose()


def audit(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["export", "ledger"])))
    )


def test_export_leaves_contact_details_out_by_default(run, db, tmp_path):
    session, school = db
    path = tmp_path / "roster.xlsx"
    result = run("export", str(path))
    assert result.exit_code == 0, result.output
    assert "已导出 5 名儿童" in result.output and "未含联系方式" in result.output
    assert list(read(path)["留守儿童"][0]) == PUBLIC
    [event] = audit(session)
    assert event.actor == "李老师" and event.entity_id == school
    assert event.detail["contacts"] is False and event.detail["rows"] == 5


def test_export_with_a_password_file_is_encrypted(run, db, tmp_path):
    session, school = db
    secret = tmp_path / "pw.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    path = tmp_path / "roster.xlsx"
    result = run("export", str(path), "--password-file", str(secret))
    assert result.exit_code == 0, result.output
    assert "已用密码加密" in result.output and PASSWORD not in result.output
    assert not is_zip(path)
    ids = private_values(session, school)["ids"]
    rows = read(path, PASSWORD)["留守儿童"]
    assert {row[rows[0].index("身份证号")] for row in rows[1:]} == ids
    assert audit(session)[0].detail["protected"] is True


def test_the_password_may_come_from_standard_input(run, db, tmp_path):
    path = tmp_path / "roster.xlsx"
    result = run("export", str(path), "--password-file", "-", stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert read(path, PASSWORD)


def test_export_with_contacts_and_no_password_warns(run, db, tmp_path):
    path = tmp_path / "roster.xlsx"
    result = run("--lang", "en", "export", str(path), "--with-contacts")
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output and "unencrypted" in result.output
    assert is_zip(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--password", PASSWORD, "--password-file", "pw.txt"], "只能选一个"),
        (["--password", "12345"], "至少 6 个字符"),
    ],
)
def test_bad_password_options_are_refused(run, db, tmp_path, args, message):
    result = run("export", str(tmp_path / "roster.xlsx"), *args)
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / "roster.xlsx").exists()


def test_only_xlsx_files_are_written(run, db, tmp_path):
    result = run("export", str(tmp_path / "roster.csv"))
    assert result.exit_code != 0 and ".xlsx" in result.output


def test_a_bureau_viewer_may_not_export_the_roster(run, db, tmp_path):
    result = run("export", str(tmp_path / "roster.xlsx"), "--school", "S1", user="王科长")
    assert result.exit_code != 0 and "无权" in result.output
    assert not (tmp_path / "roster.xlsx").exists()


def test_a_bureau_viewer_gets_a_masked_ledger(run, db, tmp_path):
    session, school = db
    path = tmp_path / "ledger.xlsx"
    result = run("ledger", str(path), user="王科长")
    assert result.exit_code == 0, result.output
    assert "2026-autumn" in result.output and "已遮蔽" in result.output
    book = read(path)
    assert list(book)[:3] == ["留守儿童花名册", "结对帮扶", "谈心记录"]
    assert list(book)[-2:] == ["活动开展", "汇总"]
    assert {"家访记录", "会议记录", "电话联系记录", "书信记录"} <= set(book)
    assert leaks(book, private_values(session, school)) == []
    [event] = audit(session)
    assert event.action == "ledger" and event.detail["schools"] == "all"


def test_a_coordinator_ledger_with_a_password(run, db, tmp_path):
    path = tmp_path / "ledger.xlsx"
    result = run("ledger", str(path), "--password", PASSWORD, "--term", "2026-autumn")
    assert result.exit_code == 0, result.output
    assert "已用密码加密" in result.output and "已写入台账" in result.output
    assert read(path, PASSWORD)["谈心记录"][1:], "the term's talks are listed"


def test_an_unknown_term_is_one_line(run, db, tmp_path):
    result = run("ledger", str(tmp_path / "l.xlsx"), "--term", "2031-spring")
    assert result.exit_code != 0
    assert "没有学期 2031-spring" in result.output and "Traceback" not in result.output


def test_a_teacher_may_not_write_ledgers(run, db, tmp_path):
    session, school = db
    session.add(Account(name="张老师", role="teacher", school_id=school))
    session.commit()
    result = run("ledger", str(tmp_path / "l.xlsx"), user="张老师")
    assert result.exit_code != 0 and "无权" in result.output


def test_files_are_written_where_asked(run, db, tmp_path):
    target: Path = tmp_path / "sub" / "roster.xlsx"
    target.parent.mkdir()
    assert run("export", str(target)).exit_code == 0
    assert [p.name for p in target.parent.iterdir()] == ["roster.xlsx"]
