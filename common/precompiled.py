"""Querysets compiled to SQL once per process, then run again with another value of one parameter.

Compiling a queryset (the ORM's ``SQLCompiler.as_sql``) costs more CPU than PostgreSQL needs to answer a
primary-key lookup: about 0.2 ms for a row of ``accounts_user``, against 0.1 ms for running the SQL and reading
its row. The reads made on every authenticated request (the signed-in user's row) and on the hottest personal
reads compile the same SQL each time with only the user's id changing, so ``PrecompiledQuery`` keeps the SQL the
ORM wrote, per database alias, and runs it with the new value: the same statement (the query-count pins and
``connection.queries`` see it), the same rows, the same model instances or dicts.

Only simple shapes are accepted, and refused when first compiled otherwise: a queryset of model instances without
``select_related`` or annotations, or a ``.values()`` queryset; the varying value must appear exactly once among
the compiled parameters, as must each further one (everything else in the SQL is fixed when it is first built, so
nothing else may depend on the time or the request).
A ``limit`` (the first N rows, as ``queryset[:N]``) is compiled once per value of N.

``PrecompiledRows`` hands such a query to the list views' pagination: their first page (``rows[:page_size]``, the
page almost every request reads) comes from the precompiled SQL, anything else (a COUNT for a full page, later
pages) from the queryset itself.
"""

from __future__ import annotations

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
    positions: tuple[int, ...]  # of the varying values in params, in the order of the placeholders
    converters: tuple[tuple[int, tuple[list, Any]], ...]  # SQLCompiler.get_converters(), as items
    names: tuple[str, ...]  # attnames (model instances) or keys (values rows), in the order selected
    model: type


class PrecompiledQuery:
    """``build(value)``'s SQL, compiled once per database with ``placeholder`` as the value, run with others.

    ``field`` is the field of the queryset's model the value is compared with: a value is prepared for the
    database exactly as the ORM prepares the right-hand side of that lookup (``get_db_prep_value``), and reads go
    to the database the router names for ``field.model``, as the queryset's would. ``also`` names more varying
    values as ``(placeholder, field)`` pairs: then ``build(value, *others)`` and ``rows(value, *others, ...)``.
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
        queryset = self._build(*self._placeholders)
        if queryset.model is not self.model:
            raise ValueError("The field must be one of the queryset's model.")
        if limit is not None:
            queryset = queryset[:limit]
        query = queryset.query
        if queryset._iterable_class not in (ModelIterable, ValuesIterable):
            raise ValueError("PrecompiledQuery reads model instances or values() dicts only.")
        values = queryset._iterable_class is ValuesIterable
        if not values and (query.select_related or query.annotation_select or queryset._known_related_objects):
            raise ValueError("PrecompiledQuery reads model instances without select_related or annotations only.")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        connection = connections[using]
        positions = []
        for placeholder, field in zip(self._placeholders, self._fields, strict=True):
            prepared = field.get_db_prep_value(placeholder, connection, prepared=False)
            found = [index for index, param in enumerate(params) if param == prepared]
            if len(found) != 1:
                raise ValueError(f"A placeholder must be exactly one parameter of the SQL, not {len(found)}.")
            positions.append(found[0])
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

    def rows(self, *values: Any, using: str, limit: int | None = None) -> list[tuple]:
        """The rows of the SQL with ``values`` in place of the placeholders, converted as the ORM converts them."""
        compiled = self._get(using, limit)
        connection = connections[using]
        params = list(compiled.params)
        for position, field, value in zip(compiled.positions, self._fields, values, strict=True):
            params[position] = field.get_db_prep_value(value, connection, prepared=False)
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
