"""``guanai plan``'s report: what a mid-term first plan left out, in Chinese and English."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select, update

from guanai.cli import cli
from guanai.core.db import transaction
from guanai.core.demo import create_demo_school
from guanai.core.models import Child, School
from guanai.core.pm import build_plugin_manager

DECEMBER = "2026-12-02T08:00"


@pytest.fixture
def run(database_url: str):
    runner = CliRunner()
    pm = build_plugin_manager(load_entry_points=False)

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--db", database_url, "--as", "李老师", *args], obj=pm)

    assert invoke("init").exit_code == 0
    return invoke


@pytest.fixture
def new_school(run, engine: Engine) -> int:
    """A school set up today, never planned: shaped like the demo's, without its past. Its
    talks left out from September to November: 2 a month per child, 4 per key target."""
    with transaction(engine) as session:
        create_demo_school(session, code="NEW", children=24)
        session.execute(update(School).values(planned_from=None))
        key = session.scalar(select(func.count()).where(Child.key_target)) or 0
    return (24 - key) * 2 * 3 + key * 4 * 3


def test_a_mid_term_plan_says_what_it_left_out_by_activity_type(run, new_school):
    result = run("plan", "--now", DECEMBER)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("已略过"))
    match = re.fullmatch(r"已略过 ([\d,]+) 项开始前已截止的任务（(.*)）", line)
    assert match, line
    parts = dict(part.rsplit(" ", 1) for part in match.group(2).split("，"))
    assert parts["谈心"] == f"{new_school:,}"
    total = int(match.group(1).replace(",", ""))
    assert total == sum(int(n.replace(",", "")) for n in parts.values())
    assert next(iter(parts)) == "谈心"  # the largest first


def test_the_report_is_in_english_on_request(run, new_school):
    result = run("--lang", "en", "plan", "--now", DECEMBER)
    assert result.exit_code == 0, result.output
    assert re.search(
        r"^Left out [\d,]+ tasks whose window closed before the start "
        rf"\(Heart-to-heart talk {new_school:,}, ",
        result.output,
        re.MULTILINE,
    )


def test_a_plan_before_the_term_leaves_nothing_out_and_says_nothing_of_it(run, new_school):
    result = run("plan", "--now", "2026-08-25T08:00")
    assert result.exit_code == 0, result.output
    assert "已略过" not in result.output
