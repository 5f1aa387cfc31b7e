"""``guanai import``, ``guanai template`` and ``guanai child show|set`` as a school uses them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from roster_samples import add_school, child, full_width, write_roster
from sqlalchemy import func, select

from guanai.cli import cli
from guanai.core.access import Viewer
from guanai.core.accounts import add_account
from guanai.core.db import make_engine, transaction
from guanai.core.models import Child
from guanai.core.pm import GuanaiPluginManager, build_plugin_manager
from guanai.core.roster.columns import CHILD_COLUMNS

COORDINATOR = "关爱办"
NOW = "2026-09-01T08:00"


@pytest.fixture
def pm() -> GuanaiPluginManager:
    return build_plugin_manager(load_entry_points=False)


@pytest.fixture
def db(database_url: str):
    """An initialised database with school S1 and accounts for each role."""
    engine = make_engine(database_url)
    try:
        result = CliRunner().invoke(cli, ["--db", database_url, "init"])
        assert result.exit_code == 0, result.output
        with transaction(engine) as session:
            add_school(session)
            owner = Viewer("setup", "coordinator")
            add_account(
                session, owner, name=COORDINATOR, role="coordinator", school_code="S1",
                teacher_code=None,
            )  # fmt: skip
            add_account(
                session, owner, name="局", role="bureau", school_code=None, teacher_code=None
            )
            for name, code in (("二老师", "T002"), ("三老师", "T003")):
                add_account(
                    session, owner, name=name, role="teacher", school_code="S1", teacher_code=code
                )
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def run(database_url: str, pm: GuanaiPluginManager, db):
    runner = CliRunner()

    def invoke(*args: str, actor: str = COORDINATOR) -> Result:
        return runner.invoke(cli, ["--db", database_url, "--as", actor, *args], obj=pm)

    return invoke


def children(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Child))


def test_the_template_is_the_roster_to_fill_in(run, tmp_path) -> None:
    path = tmp_path / "名册.xlsx"
    result = run("template", str(path))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["留守儿童", "学校", "班级", "教师", "说明"]
    sheet = workbook["留守儿童"]
    assert [cell.value for cell in sheet[1]] == [c.header.zh for c in CHILD_COLUMNS]
    assert sheet.max_row == 1, "no example row to delete before importing"
    dropdowns = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert dropdowns["C2"] == '"男,女"'
    guide = [row for row in workbook["说明"].iter_rows(values_only=True)]
    documented = {(row[0], row[1]) for row in guide if row and row[1]}
    assert {(c.header.zh, c.header.en) for c in CHILD_COLUMNS} <= documented

    assert run("template", str(path)).exit_code == 1, "an existing file is not overwritten"
    empty = run("import", str(path))
    assert empty.exit_code == 0, empty.output


def test_an_import_with_problems_lists_them_exits_1_and_writes_nothing(run, db, tmp_path):
    rows = [child(1), child(2, **{"guardian.phone": "12345"}), child(3, **{"child.class": "九班"})]
    path = write_roster(tmp_path / "roster.csv", rows, encoding="gb18030")
    result = run("import", str(path), "--now", NOW)
    assert result.exit_code == 1
    assert "监护人电话" in result.output and "电话应为手机号或带区号的座机号" in result.output
    assert (
        "第 4 行，「班级」：本校没有班级「九班」（已有：一年级1班、一年级2班、三年级1班）"
        in result.output
    )
    assert "12345" not in result.output, "a private value is never echoed"
    assert children(db) == 0

    english = run("--lang", "en", "import", str(path))
    assert english.exit_code == 1
    assert "problem" in english.output and "a phone must be a mobile" in english.output


def test_one_problem_of_many_rows_is_one_line_with_the_rows_and_their_count(run, db, tmp_path):
    rows = [child(n, **{"child.gender": "?"}) for n in range(1, 801)]
    rows[3]["guardian.phone"] = rows[9]["guardian.phone"] = "12345"
    result = run("import", str(write_roster(tmp_path / "r.csv", rows)))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "第 2–801 行（800 行），「性别」：应为以下之一：男、女" in lines
    assert "第 5、11 行（2 行），「监护人电话」：电话应为手机号或带区号的座机号" in lines
    english = run("--lang", "en", "import", str(tmp_path / "r.csv"))
    assert "rows 2-801 (800 rows), column '性别': must be one of: male, female" in english.output


def test_only_the_first_fifty_problems_are_listed(run, db, tmp_path) -> None:
    rows = [child(n, **{"child.class": f"兴趣{n}班"}) for n in range(1, 61)]
    result = run("import", str(write_roster(tmp_path / "r.csv", rows)))
    assert result.exit_code == 1
    assert "另有 10 个问题未列出" in result.output


def test_valid_only_imports_the_good_rows_and_writes_the_rest_for_fixing(run, db, tmp_path):
    rows = [child(1), child(2, **{"guardian.phone": "12345"}), child(3)]
    path = write_roster(tmp_path / "roster.xlsx", rows)
    result = run("import", str(path), "--valid-only", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert children(db) == 2
    rejects = tmp_path / "roster-rejects.xlsx"
    sheet = load_workbook(rejects)["留守儿童"]
    assert sheet.max_row == 2 and sheet.cell(1, sheet.max_column).value == "问题"

    again = run("import", str(path), "--valid-only", "--now", NOW)
    assert "未变" in again.output and children(db) == 2


def test_new_children_are_told_to_be_planned_and_a_re_import_is_not(run, db, tmp_path):
    path = write_roster(tmp_path / "roster.xlsx", [child(1), child(2)])
    first = run("import", str(path), "--now", NOW)
    assert "已新建 2 名儿童的档案：运行 guanai plan" in first.output
    again = run("import", str(path), "--now", NOW)
    assert again.exit_code == 0 and "guanai plan" not in again.output


def test_only_a_coordinator_imports(run, db, tmp_path) -> None:
    path = write_roster(tmp_path / "r.csv", [child(1)])
    result = run("import", str(path), actor="二老师")
    assert result.exit_code == 1 and "无权" in result.output
    assert children(db) == 0


@pytest.fixture
def imported(run, tmp_path) -> None:
    rows = [child(1, **{"pairing.teacher": "T002"}), child(3)]
    result = run("import", str(write_roster(tmp_path / "r.csv", rows)), "--now", NOW)
    assert result.exit_code == 0, result.output


def test_child_set_changes_a_field_and_show_keeps_who_changed_it(run, imported) -> None:
    student = child(1)["child.student_no"]
    result = run("child", "set", student, "监护人电话=13912345678", "备注=", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "1 个字段" in result.output
    shown = run("child", "show", student)
    assert shown.exit_code == 0, shown.output
    assert "13912345678" in shown.output and "13700000001" in shown.output, "new and old value"
    assert COORDINATOR in shown.output and "建档" in shown.output

    bad = run("child", "set", student, "监护人电话=12345")
    assert bad.exit_code == 1 and "「监护人电话」" in bad.output and "12345" not in bad.output


def test_a_teacher_cannot_edit_records(run, imported) -> None:
    result = run("child", "set", child(1)["child.student_no"], "备注=x", actor="二老师")
    assert result.exit_code == 1


def test_child_show_masks_contact_details_for_a_teacher_not_paired_with_the_child(
    run, imported
) -> None:
    student = child(1)["child.student_no"]
    paired = run("child", "show", student, actor="二老师")
    assert "13700000001" in paired.output, "the pairing teacher sees the guardian's phone"
    other = run("child", "show", student, actor="三老师")
    assert other.exit_code == 0, other.output
    assert "13700000001" not in other.output and "137****0001" in other.output
    assert child(1)["child.id_number"] not in other.output
    assert child(1)["child.name"] in other.output, "a teacher of the school sees names"


def test_child_show_masks_names_and_history_values_for_the_bureau(run, imported) -> None:
    student = child(1)["child.student_no"]
    run("child", "set", student, "监护人电话=13912345678", "--now", NOW)
    result = run("--lang", "en", "child", "show", student, "--school", "S1", actor="局")
    assert result.exit_code == 0, result.output
    name = child(1)["child.name"]
    assert name not in result.output and name[0] + "*" in result.output
    assert "139****5678" in result.output and "13912345678" not in result.output
    assert "13700000001" not in result.output and "137****0001" not in result.output
    assert "Guardian's phone" in result.output and "was" not in result.output


@pytest.mark.parametrize("contacts", [True, False], ids=["with-contacts", "without-contacts"])
def test_import_export_reimport_changes_nothing(run, db, tmp_path, contacts) -> None:
    rows = [child(n) for n in range(1, 9)]
    rows[0] |= {"pairing.teacher": "T002", "pairing.buddy": rows[2]["child.student_no"]}
    rows[1] |= {"child.individual_plan": "每周辅导一次", "father.unit_phone": "0731-84561234"}
    assert run("import", str(write_roster(tmp_path / "in.xlsx", rows, native=True))).exit_code == 0
    exported = tmp_path / "out.xlsx"
    result = run("export", str(exported), *(["--with-contacts"] if contacts else []))
    assert result.exit_code == 0, result.output
    again = run("import", str(exported))
    assert again.exit_code == 0, again.output
    counts = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in again.output.splitlines()
        if line.count("│") == 3
    }
    assert (counts["新建"], counts["更新"], counts["未变"]) == ("0", "0", "8")


def test_an_encrypted_export_imports_again_with_its_password(run, db, tmp_path) -> None:
    assert (
        run("import", str(write_roster(tmp_path / "in.xlsx", [child(1), child(2)]))).exit_code == 0
    )
    exported = tmp_path / "out.xlsx"
    result = run("export", str(exported), "--password", "kouling-1")
    assert result.exit_code == 0, result.output
    missing = run("import", str(exported))
    assert missing.exit_code == 1
    assert "out.xlsx 有密码保护" in missing.output and len(missing.output.splitlines()) == 1
    wrong = run("--lang", "en", "import", str(exported), "--password", "guess-00")
    assert wrong.exit_code == 1 and "cannot open out.xlsx with the password given" in wrong.output
    assert "guess-00" not in wrong.output, "a password is never echoed"
    secret = tmp_path / "password.txt"
    secret.write_text("kouling-1\n", encoding="utf-8")
    again = run("import", str(exported), "--password-file", str(secret))
    assert again.exit_code == 0, again.output
    assert "kouling-1" not in again.output and "未变" in again.output
    both = run("import", str(exported), "--password", "x", "--password-file", str(secret))
    assert both.exit_code == 1


def test_an_ignored_column_is_said_and_the_rest_imports(run, db, tmp_path) -> None:
    path = write_roster(tmp_path / "r.csv", [child(1)])
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(f"序号,{lines[0]}\n1,{lines[1]}\n", encoding="utf-8")
    result = run("import", str(path), "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "已忽略不认识的列「序号」" in result.output and children(db) == 1


def test_child_show_and_set_find_a_student_no_typed_in_full_width(run, imported) -> None:
    typed = full_width(child(1)["child.student_no"])
    shown = run("child", "show", typed)
    assert shown.exit_code == 0, shown.output
    assert child(1)["child.name"] in shown.output
    edited = run("child", "set", typed, "监护人年龄=６７", "--now", NOW)
    assert edited.exit_code == 0, edited.output
