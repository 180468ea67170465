"""The SQL of a model instance's ``save()``, compiled once per shape instead of on every save.

``Model.save()`` builds its statement each time: a queryset filtered on the primary key, an update or insert
query, and the compiler's walk over both — about 0.15 ms of CPU for one row, three times what PostgreSQL's
driver needs to send it and read the answer. A hot write (a payment settled, a lesson completed, a quiz
submitted) saves five or six rows, so that walk was a fifth of its CPU.

``UUIDModel`` (every table of the project but four counters) hands the two statements of ``save()`` here: the
``UPDATE … SET … WHERE pk = %s`` of an existing row (``update_fields`` or a full save) and the ``INSERT`` of a
new one. The SQL for one model, database alias and list of columns is written once — the text the ORM writes,
but with a parameter for NULL as for any value — and run with the values the ORM would send: each field's
``pre_save`` (auto_now) and ``get_db_prep_save``. Everything else of ``save()`` stays Django's: signals,
``update_fields`` checks, the "did not affect any rows" errors, transactions, routers and the logging of
``connection.queries``. Anything this path does not handle the way the ORM does is handed back to the ORM:
an expression as a value (``F("n") + 1``), a database default, a field with its own placeholder, columns
returned by the INSERT, multi-table inheritance, a base manager of the model's own, ``select_on_save`` and raw
saves (fixtures).
"""

from __future__ import annotations

from typing import Any

from django.db import connections, models

_Key = tuple[type, str, tuple[str, ...]]
_update_sql: dict[_Key, str] = {}
_insert_sql: dict[_Key, str] = {}


def _plain(value: Any) -> bool:
    """A value the ORM sends as a parameter, not an expression it compiles into the SQL."""
    return not hasattr(value, "resolve_expression") and not hasattr(value, "as_sql")


def _compilable(model: type[models.Model], fields) -> bool:
    meta = model._meta
    return (
        not meta.parents
        and not meta.base_manager_name
        and not meta.select_on_save
        and not any(hasattr(field, "get_placeholder") for field in fields)
    )


def update(model: type[models.Model], *, using: str, pk_val: Any, values: list[tuple]) -> bool | None:
    """``Model._do_update``'s UPDATE of ``model``'s row ``pk_val`` for ``values`` (``(field, model, value)``, as
    ``_save_table`` passes them). Returns whether a row was updated, or None when the ORM must write it itself.
    """
    fields = [field for field, _model, _value in values]
    if not values or not _compilable(model, fields):
        return None
    connection = connections[using]
    params = []
    for field, _model, value in values:
        if not _plain(value) or isinstance(value, models.Model):  # a related instance where its key belongs
            return None
        prepared = field.get_db_prep_save(value, connection=connection)
        if not _plain(prepared):
            return None
        params.append(prepared)
    pk = model._meta.pk
    params.append(pk.get_db_prep_value(pk_val, connection, prepared=False))
    key = (model, using, tuple(field.attname for field in fields))
    sql = _update_sql.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        table = quote(model._meta.db_table)
        # Table and column names come from the model's metadata; every value is a parameter.
        sql = _update_sql[key] = f"UPDATE {table} SET {assignments} WHERE {table}.{quote(pk.column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount > 0


def insert(
    model: type[models.Model], instance: models.Model, *, using: str, fields: list, returning_fields, raw: bool
) -> bool:
    """``Model._do_insert``'s INSERT of ``instance`` into ``model``'s table; False (nothing written) when the ORM
    must do it itself."""
    if raw or returning_fields or not _compilable(model, fields):
        return False
    connection = connections[using]
    params = []
    for field in fields:
        value = field.pre_save(instance, add=True)
        if not _plain(value):
            return False
        prepared = field.get_db_prep_save(value, connection=connection)
        if not _plain(prepared):
            return False
        params.append(prepared)
    with connection.cursor() as cursor:
        cursor.execute(insert_statement(model, connection, fields), params)
    return True


def insert_statement(model: type[models.Model], connection, fields) -> str:
    """``INSERT INTO <table> (<columns>) VALUES (%s, …)`` of ``fields``, written once per model, database and
    columns (also the head of ``common.services.model_insert_if_absent``'s statement)."""
    key = (model, connection.alias, tuple(field.attname for field in fields))
    sql = _insert_sql.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        # Table and column names come from the model's metadata; every value is a parameter.
        sql = _insert_sql[key] = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    return sql
