"""Alembic environment: one migration tree for SQLite and PostgreSQL.

The engine is handed in by :func:`guanai.core.db.upgrade` (``config.attributes["engine"]``).
``render_as_batch`` lets SQLite alter a table by copying it; since dropping the old copy would
break the foreign keys that point at it, SQLite's foreign keys are switched off for the
migration and checked as a whole afterwards (SQLite's own recommended procedure).
"""

from alembic import context

from guanai.core.models import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    # SQLite's foreign-key pragma is a no-op inside a transaction, and every statement through
    # SQLAlchemy runs in one (guanai.core.db begins them itself): the driver's connection,
    # which autocommits, switches it.
    driver = connection.connection.driver_connection
    if sqlite:
        driver.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if sqlite:
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        driver.execute("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"migration left {len(broken)} broken foreign keys: {broken[:5]}")
