"""Hot-path representation of ``GET /api/auth/me/`` from a ``.values()`` row (see ``catalog.representations``).

``MeOutputSerializer`` stays the contract (the view documents its response with it);
``accounts/tests/test_representations.py`` renders both ways and compares the bytes.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from common.serializers import datetime_representation

ME_ROW_FIELDS = (
    "id",
    "email",
    "full_name",
    "role",
    "domain_id",
    "domain__name",
    "domain__slug",
    "branch",
    "year",
    "created_at",
    "onboarding_completed_at",
)


def me_representation(row: dict[str, Any]) -> dict[str, Any]:
    """``MeOutputSerializer(user).data`` for a row of ``ME_ROW_FIELDS``."""
    domain_id = row["domain_id"]
    return {
        "id": str(row["id"]),
        "email": row["email"],
        "full_name": row["full_name"],
        "role": row["role"],
        "domain": None
        if domain_id is None
        else {"id": str(domain_id), "name": row["domain__name"], "slug": row["domain__slug"]},
        "branch": row["branch"],
        "year": row["year"],
        "created_at": datetime_representation(row["created_at"]),
        # User.onboarding_required, from the row's columns.
        "onboarding_required": row["role"] == User.Role.STUDENT and row["onboarding_completed_at"] is None,
    }
