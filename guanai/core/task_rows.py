"""Tasks with what they are about: the one join every task listing starts from.

:func:`task_rows` selects from each task joined to its activity (always there) and to its
child, class and assignee (each may be missing, so outer joins). A query adds only its own
columns, conditions, order and limit. The assignee is :data:`ASSIGNEE`, an alias of
:class:`Teacher`, so a query may still use ``Teacher`` for another purpose (a filter, an
access subquery) without the two being confused.

A query that reads no column of the child, the class or the assignee pays nothing for their
joins: each is an outer join on the joined table's primary key, which both SQLite and
PostgreSQL drop from the plan when none of its columns is used.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from guanai.core.models import Activity, Child, SchoolClass, Task, Teacher

ASSIGNEE = aliased(Teacher, name="assignee")
"""The teacher a task is assigned to, as joined by :func:`task_rows`."""


def task_rows(*columns: Any) -> Select[Any]:
    """``SELECT columns FROM`` tasks joined to their activity, child, class and :data:`ASSIGNEE`."""
    return (
        select(*columns)
        .select_from(Task)
        .join(Activity, Activity.id == Task.activity_id)
        .outerjoin(Child, Child.id == Task.child_id)
        .outerjoin(SchoolClass, SchoolClass.id == Task.class_id)
        .outerjoin(ASSIGNEE, ASSIGNEE.id == Task.assignee_id)
    )
