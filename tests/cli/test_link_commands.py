"""``guanai links``: a teacher's link to their phone page is printed once with a QR code of
the whole URL, signs a phone in as the teacher's account (made on the first link), is listed
without its token, and stops signing in once revoked or rotated."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine, func, select

from guanai import qr_text
from guanai.cli import cli
from guanai.core.db import session_factory
from guanai.core.models import Account, Teacher, TeacherLink
from guanai.core.pm import build_plugin_manager
from guanai.service.phone_sessions import PhoneSessions

BASE = "https://guanai.school.example"
COORDINATOR = ("--as", "关爱办")
LINK = re.compile(r"(?:https://guanai\.school\.example)?/t/([A-Za-z0-9_-]+)")
QR_BLOCKS = re.compile("[█▀▄]")

Run = Callable[..., Result]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def run(database_url: str, engine: Engine) -> Run:
    """``guanai --db URL ARGS`` on the demo school's frame with one coordinator account."""
    runner = CliRunner()
    pm = build_plugin_manager(load_entry_points=False)
    pm.hook.register_commands(cli=cli)  # as guanai.cli.main does

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--db", database_url, *args], obj=pm, env={"COLUMNS": "200"})

    assert invoke("demo", "--children", "0").exit_code == 0
    added = invoke("accounts", "add", "关爱办", "--role", "coordinator")
    assert added.exit_code == 0, added.output
    return invoke


def tokens(output: str) -> list[str]:
    return LINK.findall(output)


def signs_in(engine: Engine, token: str) -> bool:
    return PhoneSessions(engine).sign_in(token) is not None


def test_issuing_prints_the_url_once_with_its_qr_code_and_makes_the_teachers_account(
    run: Run, engine: Engine
) -> None:
    issued = run(*COORDINATOR, "links", "issue", "--teacher", "T002", "--base-url", BASE)
    assert issued.exit_code == 0, issued.output
    lines = issued.stdout.splitlines()
    assert lines[0] == (
        "教师链接 1 已签发：李晓燕（T002），以账号 DEMO-T002 记录。链接只显示这一次："
    )
    [token] = tokens(issued.stdout)
    url = f"{BASE}/t/{token}"
    assert lines[1] == url
    assert qr_text(url) in issued.stdout  # the code of the whole URL, not of the path
    assert lines[-1] == "已为该教师新建教师账号 DEMO-T002（guanai accounts list 可查看）。"
    assert signs_in(engine, token)
    with session_factory(engine)() as session:
        account = session.scalars(select(Account).where(Account.name == "DEMO-T002")).one()
        teacher = session.scalars(select(Teacher.id).where(Teacher.code == "T002")).one()
        assert account.teacher_id == teacher
        stored = session.scalars(select(TeacherLink.token_hash)).one()
    assert token not in stored  # kept hashed

    again = run(*COORDINATOR, "links", "issue", "--teacher", "T002", "--base-url", BASE)
    assert again.exit_code == 0 and "新建教师账号" not in again.output
    assert len(set(tokens(issued.stdout) + tokens(again.stdout))) == 2


def test_without_a_base_url_the_path_is_printed_with_what_to_set_and_no_qr_code(
    run: Run, engine: Engine
) -> None:
    issued = run(*COORDINATOR, "links", "issue", "--teacher", "T003")
    assert issued.exit_code == 0, issued.output
    [path] = [line for line in issued.stdout.splitlines() if line.startswith("/t/")]
    assert not QR_BLOCKS.search(issued.output)
    assert "未设置服务器地址：请在配置文件 [feeds] 中设置 base_url" in issued.stderr
    assert signs_in(engine, path.removeprefix("/t/"))


def test_a_loopback_link_is_printed_with_a_note_that_phones_cannot_open_it(run: Run) -> None:
    for base in ("http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"):
        issued = run(*COORDINATOR, "links", "issue", "--teacher", "T002", "--base-url", base)
        assert issued.exit_code == 0, issued.output
        assert f"{base}/t/" in issued.stdout
        assert "注意：这是本机地址，只有这台电脑能打开，教师的手机扫码打不开" in issued.stderr
    lan = run(
        *COORDINATOR, "links", "issue", "--teacher", "T002", "--base-url", "http://192.168.1.5"
    )
    assert lan.exit_code == 0 and "本机地址" not in lan.output


def test_no_qr_leaves_the_code_out(run: Run) -> None:
    issued = run(*COORDINATOR, "links", "issue", "--teacher", "T002", "--base-url", BASE, "--no-qr")
    assert issued.exit_code == 0 and len(tokens(issued.stdout)) == 1
    assert not QR_BLOCKS.search(issued.output)


def test_the_list_never_shows_a_token_and_all_adds_revoked_links(run: Run) -> None:
    first = run(*COORDINATOR, "links", "issue", "--teacher", "T002", "--no-qr", "--base-url", BASE)
    second = run(*COORDINATOR, "links", "issue", "--teacher", "T003", "--no-qr")
    assert run(*COORDINATOR, "links", "revoke", "1").exit_code == 0
    listed = run(*COORDINATOR, "links", "list")
    assert listed.exit_code == 0, listed.output
    assert "创建（北京时间）" in listed.output
    rows = [line for line in listed.output.splitlines() if line.startswith("│ ")]
    assert [row.split("│")[1].strip() for row in rows] == ["2"]
    assert "DEMO-T003" in listed.output and "个人链接" in listed.output
    everything = run(*COORDINATOR, "links", "list", "--all")
    assert "DEMO-T002" in everything.output and "DEMO-T003" in everything.output
    for token in tokens(first.stdout) + tokens(second.stdout):
        assert token not in listed.output and token not in everything.output


def test_a_revoked_link_signs_in_no_more_and_revoking_it_again_says_when(
    run: Run, engine: Engine
) -> None:
    issued = run(*COORDINATOR, "links", "issue", "--teacher", "T002", "--no-qr")
    [token] = tokens(issued.stdout)
    revoked = run(*COORDINATOR, "links", "revoke", "1")
    assert revoked.output == "教师链接 1 已撤销：该链接和用它登录的手机从现在起都打不开\n"
    assert not signs_in(engine, token)
    again = run(*COORDINATOR, "links", "revoke", "1")
    assert again.exit_code == 1
    assert re.fullmatch(r"错误：教师链接 1 已于 \d{4}-\d\d-\d\d 撤销\n", again.output)
    unknown = run(*COORDINATOR, "links", "revoke", "99")
    assert unknown.exit_code == 1 and unknown.output == "错误：找不到教师链接 99\n"


def test_rotating_replaces_the_link_for_the_same_teacher(run: Run, engine: Engine) -> None:
    issued = run(*COORDINATOR, "links", "issue", "--teacher", "T002", "--no-qr")
    [old] = tokens(issued.stdout)
    rotated = run(*COORDINATOR, "links", "rotate", "1", "--base-url", BASE)
    assert rotated.exit_code == 0, rotated.output
    assert rotated.stdout.startswith("教师链接 2 已签发：李晓燕（T002），以账号 DEMO-T002 记录。")
    [new] = tokens(rotated.stdout)
    assert qr_text(f"{BASE}/t/{new}") in rotated.stdout
    assert "新建教师账号" not in rotated.output
    assert not signs_in(engine, old) and signs_in(engine, new)


def test_in_english(run: Run) -> None:
    issued = run(
        "--lang", "en", *COORDINATOR, "links", "issue", "--teacher", "T002", "--base-url", BASE
    )
    assert issued.stdout.startswith(
        "teacher link 1 issued: 李晓燕 (T002), recording as account DEMO-T002."
        " The link is shown only this once:\n"
    )
    assert "a teacher account DEMO-T002 was created for this teacher" in issued.stdout
    revoked = run("--lang", "en", *COORDINATOR, "links", "revoke", "1")
    assert revoked.output.startswith("teacher link 1 revoked")


def test_an_unknown_teacher_is_one_line_and_writes_nothing(run: Run, engine: Engine) -> None:
    refused = run(*COORDINATOR, "links", "issue", "--teacher", "T999")
    assert refused.exit_code == 1 and len(refused.output.splitlines()) == 1
    assert refused.output.startswith("错误：") and "T999" in refused.output
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(TeacherLink)) == 0
        assert session.scalar(select(func.count()).select_from(Account)) == 1
