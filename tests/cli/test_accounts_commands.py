"""``guanai accounts add`` on a one-school install: the school need not be named, a role may be
named in Chinese, and the first account says how to act from then on, so the operator setting
the install up is never locked out without a word."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from guanai.cli import cli
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager


@pytest.fixture
def run(database_url: str):
    """``guanai --db URL ARGS`` on a database holding only the demo school's frame."""
    pm: GuanaiPluginManager = build_plugin_manager(load_entry_points=False)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--db", database_url, *args], obj=pm)

    assert invoke("demo", "--children", "0").exit_code == 0
    return invoke


def test_the_first_account_tells_the_operator_how_to_act_from_then_on(run, tmp_path: Path):
    added = run("accounts", "add", "张主任", "--role", "协调员")
    assert added.exit_code == 0, added.output
    first, hint = added.output.strip().splitlines()
    assert first == "已添加账号 张主任（关爱办，DEMO）"
    assert "从现在起，每条命令都须以账号身份运行，例如 guanai --as 张主任 …" in hint
    assert "GUANAI_ACTOR=张主任" in hint
    assert f'配置文件 {tmp_path / "no-such-config.toml"} 中写 actor = "张主任"' in hint

    refused = run("accounts", "list")
    assert refused.exit_code == 1
    assert "没有账号：请以账号身份运行（guanai --as 账号名 …，或环境变量 GUANAI_ACTOR" in (
        refused.output
    )

    second = run(
        "--as", "张主任", "accounts", "add", "李老师", "--role", "教师", "--teacher", "T001"
    )
    assert second.output.strip() == "已添加账号 李老师（教师，DEMO）"
    listed = run("--as", "张主任", "accounts", "list")
    assert listed.exit_code == 0 and "李老师" in listed.output


def test_in_english_the_hint_quotes_a_name_as_the_shell_needs(run):
    added = run("--lang", "en", "accounts", "add", "Zhang Wei", "--role", "关爱办")
    assert added.exit_code == 0, added.output
    assert added.output.startswith("account Zhang Wei added (coordinator, DEMO)\n")
    assert "from now on every command must be run as an account, e.g. guanai --as 'Zhang Wei'" in (
        added.output
    )
    assert "GUANAI_ACTOR='Zhang Wei'" in added.output
    assert 'write actor = "Zhang Wei" in the config file' in added.output
    assert run("--as", "Zhang Wei", "accounts", "list").exit_code == 0


def test_an_unknown_role_lists_the_codes_and_chinese_names(run):
    refused = run("--lang", "en", "accounts", "add", "张主任", "--role", "校长")
    assert refused.exit_code == 1
    assert refused.output == (
        "error: unknown role 校长 (one of: coordinator (关爱办/协调员/关爱协调员), head_teacher"
        " (班主任), teacher (教师), bureau (教育局))\n"
    )
    assert run("accounts", "list").exit_code == 0  # still no account: nothing was written
