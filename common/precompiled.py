"""Querysets compiled to SQL once per process, then run again with another value of one parameter.

Compiling a queryset (the ORM's ``SQLCompiler.as_sql``) costs more CPU than PostgreSQL needs to answer a
primary-key lookup: about 0.2 ms for a row of ``accounts_user``, against 0.1 ms for running the SQL and reading
its row. The reads made on every authenticated request (the signed-in user's row) and on the hottest personal
reads compile the same SQL each time with only the user's id changing, so ``PrecompiledQuery`` keeps the SQL the
ORM wrote, per database alias, and runs it with the new value: the same statement (the query-count pins and
``connection.queries`` see it), the same rows, the same model instances or dicts.

Only simple shapes are accepted, and refused when first compiled otherwise: a queryset of model instances without
``select_related`` or annotations, or a ``.values()`` queryset. The SQL is compiled twice, with two different sets of
placeholder values: the parameters that differ between the two are the varying values (a value may appear any
number of times, as a board's period does in each of its subqueries); the SQL text must be the same and every other
parameter equal, and every varying value must appear as itself (a parameter computed from one, say a date a week
later, is refused). Everything else in the SQL is fixed when it is first built, so nothing else may depend on the
time or the request. On PostgreSQL those fixed values are written into the SQL as literals and only the varying ones
stay parameters, so that a prepared statement's one plan for any parameters knows the constants
(``_fixed_values_written_in``).
A ``limit`` (the first N rows, as ``queryset[:N]``) is compiled once per value of N.

``PrecompiledRows`` hands such a query to the list views' pagination: their first page (``rows[:page_size]``, the
page almost every request reads) comes from the precompiled SQL, anything else (a COUNT for a full page, later
pages) from the queryset itself.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Field, QuerySet
from django.db.models.query import MAX_GET_RESULTS, ModelIterable, ValuesIterable
from django.utils.functional import cached_property


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    positions: tuple[tuple[int, int], ...]  # (index in params, index of the varying value it takes)
    converters: tuple[tuple[int, tuple[list, Any]], ...]  # SQLCompiler.get_converters(), as items
    names: tuple[str, ...]  # attnames (model instances) or keys (values rows), in the order selected
    model: type


class PrecompiledQuery:
    """``build(value)``'s SQL, compiled once per database with ``placeholder`` as the value, run with others.

    ``field`` is the field of the queryset's model the value is compared with: a value is prepared for the
    database exactly as the ORM prepares the right-hand side of that lookup (``get_db_prep_value``), and reads go
    to the database the router names for ``field.model``, as the queryset's would. ``also`` names more varying
    values as ``(placeholder, field)`` pairs: then ``build(value, *others)`` and ``rows(value, *others, ...)``.
    Placeholders are UUIDs, dates, datetimes, ints or strs, each different from the others (a second compilation
    uses a neighbour of each: the next UUID, day, int, or the str with "~" added).
    """

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        placeholder: Any,
        field: Field,
        also: tuple[tuple[Any, Field], ...] = (),
    ) -> None:
        self._build = build
        self._field = field
        self._placeholders = (placeholder, *(extra for extra, _field in also))
        self._alternates = tuple(_alternate(value) for value in self._placeholders)
        self._fields = (field, *(extra_field for _placeholder, extra_field in also))
        self._compiled: dict[tuple[str, int | None], _Compiled] = {}  # on first use: models may still be loading

    @property
    def model(self) -> type:
        return self._field.model

    def db_for_read(self) -> str:
        return router.db_for_read(self.model)

    def queryset(self, *values: Any) -> QuerySet:
        """The queryset itself, for ``values`` (compiled as usual when it runs)."""
        return self._build(*values)

    def _get(self, using: str, limit: int | None) -> _Compiled:
        return self._compiled.get((using, limit)) or self._compile(using, limit)

    def _compile(self, using: str, limit: int | None) -> _Compiled:
        queryset = self._queryset(self._placeholders, limit)
        query = queryset.query
        if queryset._iterable_class not in (ModelIterable, ValuesIterable):
            raise ValueError("PrecompiledQuery reads model instances or values() dicts only.")
        values = queryset._iterable_class is ValuesIterable
        if not values and (query.select_related or query.annotation_select or queryset._known_related_objects):
            raise ValueError("PrecompiledQuery reads model instances without select_related or annotations only.")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        other_sql, other_params = self._queryset(self._alternates, limit).query.get_compiler(using=using).as_sql()
        if other_sql != sql or len(other_params) != len(params):
            raise ValueError("The SQL must be the same for any values: only its parameters may change with them.")
        connection = connections[using]
        first, second = (
            [
                field.get_db_prep_value(value, connection, prepared=False)
                for value, field in zip(values, self._fields, strict=True)
            ]
            for values in (self._placeholders, self._alternates)
        )
        positions = []
        for index, (param, other) in enumerate(zip(params, other_params, strict=True)):
            if param == other:
                continue  # fixed
            taken = [k for k in range(len(first)) if first[k] == param and second[k] == other]
            if len(taken) != 1:
                raise ValueError(f"Parameter {index} of the SQL changes with the values but is not one of them.")
            positions.append((index, taken[0]))
        missing = set(range(len(first))) - {value for _index, value in positions}
        if missing:
            raise ValueError(f"Every value must be a parameter of the SQL: {sorted(missing)} are not.")
        sql, params, positions = _fixed_values_written_in(sql, params, positions, connection)
        selected = [expression for expression, _sql, _alias in compiler.select]
        if values:  # the keys ValuesIterable gives the row's columns
            names = tuple(query.selected or (*query.extra_select, *query.values_select, *query.annotation_select))
        else:
            names = tuple(expression.target.attname for expression in selected)
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            positions=tuple(positions),
            converters=tuple(compiler.get_converters(selected).items()),
            names=names,
            model=queryset.model,
        )
        self._compiled[(using, limit)] = compiled  # a race compiles twice, to the same SQL
        return compiled

    def _queryset(self, values: tuple[Any, ...], limit: int | None) -> QuerySet:
        queryset = self._build(*values)
        if queryset.model is not self.model:
            raise ValueError("The field must be one of the queryset's model.")
        return queryset if limit is None else queryset[:limit]

    def rows(self, *values: Any, using: str, limit: int | None = None) -> list[tuple]:
        """The rows of the SQL with ``values`` in place of the placeholders, converted as the ORM converts them."""
        compiled = self._get(using, limit)
        connection = connections[using]
        prepared = [
            field.get_db_prep_value(value, connection, prepared=False)
            for field, value in zip(self._fields, values, strict=True)
        ]
        params = list(compiled.params)
        for position, value in compiled.positions:
            params[position] = prepared[value]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [_converted(row, compiled.converters, connection) for row in rows]
        return rows

    def instances(self, *values: Any, using: str, limit: int | None = None) -> list:
        compiled = self._get(using, limit)
        rows = self.rows(*values, using=using, limit=limit)
        return [compiled.model.from_db(using, compiled.names, row) for row in rows]

    def dicts(self, *values: Any, using: str, limit: int | None = None) -> list[dict[str, Any]]:
        names = self._get(using, limit).names
        return [dict(zip(names, row, strict=True)) for row in self.rows(*values, using=using, limit=limit)]


_PLACEHOLDER = re.compile(r"%%|%s")


def _fixed_values_written_in(
    sql: str, params: list, positions: list[tuple[int, int]], connection
) -> tuple[str, list, list[tuple[int, int]]]:
    """On PostgreSQL, the SQL with its fixed parameters written in as literals (psycopg's quoting, as
    ``connection.queries`` shows them), the varying ones left as parameters (renumbered).

    With server-side binding a statement run often is prepared, and PostgreSQL then plans it once for any
    parameters (a generic plan) only when that plan looks no worse than the ones made for the actual values;
    otherwise it plans every execution again. A constant passed as a parameter hides what the planner needs:
    ``role IN ($6, $7)`` was estimated as a third of all users, so the standing on a leaderboard was planned
    afresh on every request (~0.3 ms of the database's CPU). Written in, the constants are part of the generic
    plan. A literal's "%" is doubled, as the SQL still goes through the driver's placeholders.
    """
    if connection.vendor != "postgresql":
        return sql, params, positions
    varying = dict(positions)
    kept: list = []
    new_positions: list[tuple[int, int]] = []
    index = 0

    def rewrite(match: re.Match) -> str:
        nonlocal index
        if match.group() == "%%":
            return "%%"
        taken, index = index, index + 1
        if taken in varying:
            new_positions.append((len(kept), varying[taken]))
            kept.append(params[taken])
            return "%s"
        return connection.ops.compose_sql("%s", [params[taken]]).replace("%", "%%")

    written = _PLACEHOLDER.sub(rewrite, sql)
    if index != len(params):
        raise ValueError("The SQL's placeholders do not match its parameters.")
    return written, kept, new_positions


def _alternate(placeholder: Any) -> Any:
    """Another value of the placeholder's type: the second compilation, which tells the varying parameters apart."""
    if isinstance(placeholder, uuid.UUID):
        return uuid.UUID(int=placeholder.int ^ 1)
    if isinstance(placeholder, datetime.date):  # dates and datetimes
        return placeholder + datetime.timedelta(days=1)
    if isinstance(placeholder, int) and not isinstance(placeholder, bool):
        return placeholder + 1
    if isinstance(placeholder, str):
        return placeholder + "~"
    raise TypeError(f"A placeholder must be a UUID, a date, a datetime, an int or a str, not {type(placeholder)}.")


def _converted(row: tuple, converters, connection) -> list:
    """``SQLCompiler.apply_converters`` for one row, with this thread's connection (not the compiling one's)."""
    row = list(row)
    for position, (functions, expression) in converters:
        value = row[position]
        for converter in functions:
            value = converter(value, expression, connection)
        row[position] = value
    return row


class PrecompiledRows:
    """The ``.values()`` rows of a ``PrecompiledQuery`` for one value, read the way pagination reads a queryset.

    ``rows[:n]`` runs the precompiled SQL (``LIMIT n``); every other read (``count()``, ``ordered``, other
    slices, iteration) goes to the queryset, built on first need.
    """

    def __init__(self, query: PrecompiledQuery, value: Any) -> None:
        self.query = query
        self.value = value

    @cached_property
    def queryset(self) -> QuerySet:
        return self.query.queryset(self.value)

    def __getitem__(self, key):
        if isinstance(key, slice) and not key.start and key.step is None and isinstance(key.stop, int) and key.stop > 0:
            return self.query.dicts(self.value, using=self.query.db_for_read(), limit=key.stop)
        return self.queryset[key]

    def __iter__(self):
        return iter(self.queryset)

    def __len__(self) -> int:
        return len(self.queryset)

    def count(self) -> int:
        return self.queryset.count()

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered


def get_one(results: list, model: type) -> Any:
    """``QuerySet.get()``'s answer (or exception) for the rows of a query bounded like it.

    ``QuerySet.get()`` clears the ordering and reads at most ``MAX_GET_RESULTS`` rows: a query built with
    ``.order_by()[:MAX_GET_RESULTS]`` is the SQL it runs.
    """
    if len(results) == 1:
        return results[0]
    if not results:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    raise model.MultipleObjectsReturned(
        "get() returned more than one {} -- it returned {}!".format(
            model._meta.object_name,
            len(results) if len(results) < MAX_GET_RESULTS else f"more than {MAX_GET_RESULTS - 1}",
        )
    )
