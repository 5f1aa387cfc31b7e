"""Alembic environment: one migration tree for SQLite and PostgreSQL.

The engine is handed in by :func:`guanai.core.db.upgrade` (``config.attributes["engine"]``);
``render_as_batch`` lets SQLite alter tables by copying them.
"""

from alembic import context

from guanai.core.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
