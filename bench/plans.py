"""Statements PostgreSQL plans again on every execution: a report for the in-process benchmarks.

With server-side binding (``DATABASE_PREPARED_STATEMENTS``) psycopg prepares a statement once a connection has run
it ``DATABASE_PREPARE_THRESHOLD`` times. PostgreSQL then plans the first five executions for their actual parameter
values (custom plans) and afterwards keeps one plan for any values (the generic plan) only when its estimated cost
is no worse; otherwise every execution is planned again, which can cost the database more than running the query.
A constant passed as a parameter is the usual cause (``role IN ($6, $7)`` estimated as a third of all users):
``common.precompiled`` writes a precompiled query's constants into its SQL for that reason.

``bench/personal_cpu.py`` and ``bench/writes.py`` print ``replanned(connection)`` after their runs: each statement of
the connection's session with more custom plans than the first five and no generic plan, with how often it ran.
"""

from __future__ import annotations

# Custom plans PostgreSQL always makes before it considers the generic plan (plancache.c).
CUSTOM_PLANS_BEFORE_GENERIC = 5

_SQL = """
    SELECT custom_plans, generic_plans, regexp_replace(statement, '\\s+', ' ', 'g')
    FROM pg_prepared_statements
    WHERE custom_plans > %s AND generic_plans = 0
    ORDER BY custom_plans DESC, statement
"""


def replanned(connection) -> list[tuple[int, str]]:
    """(executions, statement) of this session's prepared statements that are planned at every execution.

    ``connection`` is a Django database connection; empty on another database than PostgreSQL.
    """
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [CUSTOM_PLANS_BEFORE_GENERIC])
        return [(custom + generic, statement) for custom, generic, statement in cursor.fetchall()]


def report(connection, *, width: int = 150) -> str:
    """``replanned(connection)`` as lines to print (one saying so when there are none)."""
    found = replanned(connection)
    if not found:
        return "prepared statements planned at every execution: none"
    lines = [f"prepared statements planned at every execution (no generic plan): {len(found)}"]
    for executions, statement in found:
        short = statement if len(statement) <= width else statement[: width - 1] + "…"
        lines.append(f"  {executions:6,} executions  {short}")
    return "\n".join(lines)
