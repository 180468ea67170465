"""The committed OpenAPI document (docs/openapi.yaml) is what the code generates, whatever the database."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
# How each backend bounds integer columns: SQLite gives every column 64 bits, PostgreSQL the column type's.
RANGES = {
    "sqlite": SQLiteDatabaseWrapper.ops_class.integer_field_range,
    "postgresql": BaseDatabaseOperations.integer_field_range,
}


def _forget_model_validators() -> None:
    # Field.validators is cached per field; the integer bounds in it come from the connection.
    for model in apps.get_models():
        for field in model._meta.get_fields():
            field.__dict__.pop("validators", None)


@contextlib.contextmanager
def integer_ranges_of(vendor: str) -> Iterator[None]:
    """Model integer fields validate with ``vendor``'s column ranges for the duration of the block."""
    _forget_model_validators()
    try:
        with mock.patch.object(type(connection.ops), "integer_field_range", RANGES[vendor]):
            yield
    finally:
        _forget_model_validators()


def generate(tmp_path) -> str:
    target = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return target.read_text()


@pytest.mark.parametrize("vendor", sorted(RANGES))
def test_the_schema_is_the_committed_one_whatever_the_database(vendor, tmp_path):
    # Given model integer fields bounded as on SQLite (64 bits everywhere) or on PostgreSQL (the column's type)
    with integer_ranges_of(vendor):
        # When the schema is generated
        generated = generate(tmp_path)

    # Then it is the committed document, byte for byte (`make schema` regenerates it)
    assert generated == COMMITTED.read_text()


def test_integer_bounds_are_the_column_types_and_validators_are_kept():
    schemas = yaml.safe_load(COMMITTED.read_text())["components"]["schemas"]
    # A PositiveIntegerField column: PostgreSQL's int4 range, no int64 format
    assert schemas["CurriculumLesson"]["properties"]["duration_seconds"] == {
        "type": "integer",
        "maximum": 2147483647,
        "minimum": 0,
    }
    # A field's own validator (position >= 1) is kept
    assert schemas["CurriculumLesson"]["properties"]["position"]["minimum"] == 1
    assert "9223372036854775807" not in COMMITTED.read_text()


def test_each_operation_lists_each_security_scheme_once():
    document = yaml.safe_load(COMMITTED.read_text())
    operations = [op for path in document["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert operations
    for operation in operations:
        requirements = operation.get("security", [])
        assert len(requirements) == len({tuple(sorted(r)) for r in requirements}), operation["operationId"]
    # A route that ignores credentials says so instead of inheriting the global schemes
    verify = document["paths"]["/api/certificates/verify/{code}/"]["get"]
    assert verify["security"] == [{}]
