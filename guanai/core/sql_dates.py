"""Date arithmetic in SQL that the dialects spell differently."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class first_of_month(FunctionElement[date]):
    """The first day of a date's month: to count a month's activities together (a month's
    talks are several activities when the key children's are every half month)."""

    type = Date()
    inherit_cache = True


@compiles(first_of_month, "sqlite")
def _sqlite_month(element: first_of_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(first_of_month, "postgresql")
def _postgresql_month(element: first_of_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"
