"""The ledger and the roll-ups carry no index that another one already covers: each costs every award."""

from __future__ import annotations

import pytest
from django.db import connection

from gamification.models import XPEvent, XPTotal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [XPEvent, XPTotal], ids=["ledger", "rollups"])
def test_user_id_is_indexed_only_as_the_leading_column_of_a_composite_index(model):
    # Given the table as the migrations built it
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    indexed = [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]

    # Then no index is on user_id alone, and a composite one starting with it serves "this user's rows"
    assert ["user_id"] not in indexed
    assert any(len(columns) > 1 and columns[0] == "user_id" for columns in indexed)
