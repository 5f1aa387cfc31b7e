"""A roster import that changes a child's pairing teacher moves that child's open talks too."""

from __future__ import annotations

from click.testing import CliRunner
from roster_samples import edit_roster_file
from sqlalchemy import select

from guanai.cli import cli
from guanai.core.db import make_engine, transaction
from guanai.core.models import Child, Pairing, Task, TaskState, Teacher
from guanai.core.pm import build_plugin_manager

OPEN = [TaskState.PENDING.value, TaskState.DUE.value, TaskState.OVERDUE.value]


def test_an_imported_pairing_change_hands_the_childs_open_talks_to_the_new_teacher(
    database_url, tmp_path
):
    runner = CliRunner()
    pm = build_plugin_manager(load_entry_points=False)

    def run(*args: str):
        result = runner.invoke(cli, ["--db", database_url, *args], obj=pm)
        assert result.exit_code == 0, result.output
        return result

    run("init")
    run("demo", "--children", "24", "--now", "2026-09-14T08:00")
    engine = make_engine(database_url)
    try:
        with transaction(engine) as session:
            child_id, student_no, old_teacher = session.execute(
                select(Child.id, Child.student_no, Pairing.teacher_id)
                .join(Pairing, Pairing.child_id == Child.id)
                .where(Pairing.ended_on.is_(None))
                .order_by(Child.id)
            ).first()
            new_teacher, new_code = session.execute(
                select(Teacher.id, Teacher.code).where(
                    Teacher.id != old_teacher, ~Teacher.is_coordinator
                )
            ).first()
        roster = tmp_path / "roster.xlsx"
        run("export", str(roster), "--with-contacts")
        edit_roster_file(roster, {student_no: {"帮扶教师工号": new_code}})
        run("import", str(roster), "--now", "2026-09-15T08:00")
        with transaction(engine) as session:
            talks = session.scalars(
                select(Task.assignee_id).where(
                    Task.child_id == child_id,
                    Task.step == "pairing_teacher_talk",
                    Task.state.in_(OPEN),
                )
            ).all()
    finally:
        engine.dispose()
    assert talks and set(talks) == {new_teacher}
