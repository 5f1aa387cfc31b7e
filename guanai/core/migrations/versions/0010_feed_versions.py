"""Feed versions kept by the database: a counter per feed scope, bumped by triggers.

A feed's freshness used to be an aggregate over its tasks (``max(changed_at)``, ``count``),
read on every request: at 3,000 children that capped a feed at some 60 requests a second, and
it missed changes that alter a feed without touching its tasks (a child's or a class's new
name). ``feed_counter`` holds one row per scope a feed is of (``teacher``, ``class``,
``school``, by that row's id) and one per term (``term``, by the term's id: a term's calendar
and dates are in every feed of it). Triggers add one to each counter whose feeds a change
alters, in the transaction of the change:

- a task inserted, updated or deleted: its assignee's, its class's and, for a school-wide task
  (``subject`` ``s``), its school's counter, before and after the change;
- a child renamed: the counters of its tasks' assignees and classes (feeds show the masked
  name); a class renamed: the class's and its tasks' assignees' (titles carry the class's
  name); a teacher or a school renamed: its own (the feed's name);
- a term inserted, updated (planned again, its calendar changed) or deleted: the term's.

A revoked subscription needs no counter: the token lookup no longer finds it.

SQLite runs row triggers. PostgreSQL runs the task's as statement-level triggers over their
transition tables, so that a plan writing a quarter of a million tasks in batched INSERTs
bumps each counter once per statement rather than once per row; every statement bumps its
counters in (scope, id) order, so that two transactions lock shared counters in one order.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TASK_COLUMNS = ("assignee_id", "class_id", "subject", "activity_id")


def _bump(pairs: str) -> str:
    """One statement adding one to the counter of each (scope, id) that ``pairs`` selects."""
    return (
        "INSERT INTO feed_counter (scope, scope_id, counter)"
        f" SELECT scope, id, 1 FROM ({pairs}) AS changed WHERE id IS NOT NULL"
        " GROUP BY scope, id ORDER BY scope, id"
        " ON CONFLICT (scope, scope_id) DO UPDATE SET counter = feed_counter.counter + 1"
    )


def _task_pairs(rows: str) -> str:
    """The scopes of the task rows ``rows`` selects (the columns of :data:`_TASK_COLUMNS`)."""
    source = f"({rows}) AS t"
    return (
        f"SELECT 'teacher' AS scope, t.assignee_id AS id FROM {source}"
        f" UNION ALL SELECT 'class', t.class_id FROM {source}"
        f" UNION ALL SELECT 'school', activity.school_id FROM {source}"
        " JOIN activity ON activity.id = t.activity_id WHERE t.subject = 's'"
    )


def _row(record: str) -> str:
    """The task columns of a row trigger's ``NEW`` or ``OLD``, as a one-row SELECT."""
    return "SELECT " + ", ".join(f"{record}.{c} AS {c}" for c in _TASK_COLUMNS)


def _table(name: str) -> str:
    """The task columns of a transition table."""
    return f"SELECT {', '.join(_TASK_COLUMNS)} FROM {name}"


_CHILD = (
    "SELECT 'teacher' AS scope, assignee_id AS id FROM task WHERE child_id = NEW.id"
    " UNION ALL SELECT 'class', class_id FROM task WHERE child_id = NEW.id"
)
_CLASS = (
    "SELECT 'class' AS scope, NEW.id AS id"
    " UNION ALL SELECT 'teacher', assignee_id FROM task WHERE class_id = NEW.id"
)
_TEACHER = "SELECT 'teacher' AS scope, NEW.id AS id"
_SCHOOL = "SELECT 'school' AS scope, NEW.id AS id"
_RENAMES = (("child", _CHILD), ("school_class", _CLASS), ("teacher", _TEACHER), ("school", _SCHOOL))
_TERM = "SELECT 'term' AS scope, {record}.id AS id"


def _sqlite_triggers() -> list[str]:
    task = {
        "insert": _row("NEW"),
        "update": f"{_row('OLD')} UNION ALL {_row('NEW')}",
        "delete": _row("OLD"),
    }
    statements = [
        f"CREATE TRIGGER feed_counter_task_{event} AFTER {event.upper()} ON task"
        f" FOR EACH ROW BEGIN {_bump(_task_pairs(rows))}; END"
        for event, rows in task.items()
    ]
    statements += [
        f"CREATE TRIGGER feed_counter_{table}_name AFTER UPDATE OF name ON {table}"
        f" FOR EACH ROW WHEN NEW.name IS NOT OLD.name BEGIN {_bump(pairs)}; END"
        for table, pairs in _RENAMES
    ]
    statements += [
        f"CREATE TRIGGER feed_counter_term_{event} AFTER {event.upper()} ON term"
        f" FOR EACH ROW BEGIN {_bump(_TERM.format(record=record))}; END"
        for event, record in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD"))
    ]
    return statements


def _function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION guanai_feed_counter_{name}() RETURNS trigger AS $$"
        f" BEGIN {body}; RETURN NULL; END $$ LANGUAGE plpgsql"
    )


def _postgresql_triggers() -> list[str]:
    task = {
        "insert": ("REFERENCING NEW TABLE AS new_rows", _table("new_rows")),
        "update": (
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            f"{_table('old_rows')} UNION ALL {_table('new_rows')}",
        ),
        "delete": ("REFERENCING OLD TABLE AS old_rows", _table("old_rows")),
    }
    statements: list[str] = []
    for event, (referencing, rows) in task.items():
        statements += [
            _function(f"task_{event}", _bump(_task_pairs(rows))),
            f"CREATE TRIGGER feed_counter_task_{event} AFTER {event.upper()} ON task"
            f" {referencing} FOR EACH STATEMENT"
            f" EXECUTE FUNCTION guanai_feed_counter_task_{event}()",
        ]
    for table, pairs in _RENAMES:
        statements += [
            _function(f"{table}_name", _bump(pairs)),
            f"CREATE TRIGGER feed_counter_{table}_name AFTER UPDATE OF name ON {table}"
            " FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name)"
            f" EXECUTE FUNCTION guanai_feed_counter_{table}_name()",
        ]
    statements += [
        _function("term", _bump("SELECT 'term' AS scope, COALESCE(NEW.id, OLD.id) AS id")),
        "CREATE TRIGGER feed_counter_term AFTER INSERT OR UPDATE OR DELETE ON term"
        " FOR EACH ROW EXECUTE FUNCTION guanai_feed_counter_term()",
    ]
    return statements


def upgrade() -> None:
    op.create_table(
        "feed_counter",
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("scope_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("counter", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("scope", "scope_id", name=op.f("pk_feed_counter")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_triggers() if sqlite else _postgresql_triggers():
        op.execute(statement)


def downgrade() -> None:
    tables = [("task", f"task_{event}") for event in ("insert", "update", "delete")]
    tables += [(table, f"{table}_name") for table, _ in _RENAMES]
    if op.get_bind().dialect.name == "sqlite":
        tables += [("term", f"term_{event}") for event in ("insert", "update", "delete")]
        for _, name in tables:
            op.execute(f"DROP TRIGGER feed_counter_{name}")
    else:
        tables.append(("term", "term"))
        for table, name in tables:
            op.execute(f"DROP TRIGGER feed_counter_{name} ON {table}")
            op.execute(f"DROP FUNCTION guanai_feed_counter_{name}()")
    op.drop_table("feed_counter")
