"""The migration tree builds exactly the schema the models describe, on every backend."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, select, text

from guanai.core import db
from guanai.core.db import alembic_config, is_current, make_engine, session_factory, upgrade
from guanai.core.models import Base, School


def _scripts() -> ScriptDirectory:
    # The engine is only handed to env.py; reading the scripts never connects.
    return ScriptDirectory.from_config(alembic_config(create_engine("sqlite://")))


def _schema(engine: Engine) -> dict[str, object]:
    """Tables with their columns, indexes and constraints, as the database reports them."""
    inspector = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted(i["name"] or "" for i in inspector.get_indexes(table)),
            sorted(u["name"] or "" for u in inspector.get_unique_constraints(table)),
            sorted(f["name"] or "" for f in inspector.get_foreign_keys(table)),
        )
        for table in sorted(inspector.get_table_names())
    }


def test_one_head_and_a_linear_history() -> None:
    scripts = _scripts()
    assert len(scripts.get_heads()) == 1, scripts.get_heads()
    assert len(scripts.get_bases()) == 1, scripts.get_bases()
    for revision in scripts.walk_revisions():
        assert not revision.is_merge_point, revision.revision
        assert not revision.is_branch_point, revision.revision


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_model_table_is_created(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert tables - set(Base.metadata.tables) == {"alembic_version"}


def test_is_current_only_after_upgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert not is_current(engine)
        upgrade(engine)
        assert is_current(engine)
    finally:
        engine.dispose()


def test_an_out_of_date_database_is_asked_again_and_a_current_one_trusted_a_while(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(database_url)
    clock = [1000.0]
    monkeypatch.setattr(db.time, "monotonic", lambda: clock[0])
    try:
        assert not db.confirmed_current(engine)
        upgrade(engine)
        assert db.confirmed_current(engine)

        command.downgrade(alembic_config(engine), "-1")
        clock[0] += db.CURRENT_FOR - 0.1
        assert db.confirmed_current(engine), "trusted within CURRENT_FOR"
        clock[0] += 0.2
        assert not db.confirmed_current(engine), "asked again once CURRENT_FOR has passed"
    finally:
        engine.dispose()


def test_upgrading_twice_is_a_no_op(engine: Engine) -> None:
    with session_factory(engine)() as session, session.begin():
        session.add(School(code="s1", name="一小"))
    before = _schema(engine)

    upgrade(engine)

    assert is_current(engine)
    assert _schema(engine) == before
    with session_factory(engine)() as session:
        assert session.scalars(select(School.code)).all() == ["s1"]


def test_downgrade_to_base_and_back(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert not is_current(engine)

    upgrade(engine)

    assert is_current(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrading_a_0001_database_keeps_its_children_and_codes_their_labels(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        command.upgrade(alembic_config(engine), "0001")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO school (id, code, name) VALUES (1, 'S', '小学')"))
            connection.execute(
                text(
                    "INSERT INTO school_class (id, school_id, grade, name) VALUES (1, 1, 3, '三年级1班')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO child (id, school_id, class_id, student_no, name, gender, enrolment_status,"
                    " left_behind_type) VALUES (1, 1, 1, 'N1', '张三', '男', 'enrolled', '父亲外出')"
                )
            )
            connection.execute(
                text("INSERT INTO guardian (child_id, name, relation) VALUES (1, '张爷爷', '祖父')")
            )
        upgrade(engine)
        with engine.connect() as connection:
            child = connection.execute(
                text("SELECT name, gender, left_behind_type, key_target FROM child")
            ).one()
            relation = connection.scalar(text("SELECT relation FROM guardian"))
        assert tuple(child) == ("张三", "male", "father", False)
        assert relation == "grandfather"
    finally:
        engine.dispose()
