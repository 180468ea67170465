"""Hot-path representation of ``GET /api/payments/history/`` from ``.values()`` rows (see
``catalog.representations``).

``PaymentSerializer`` stays the contract (the view documents its response with it);
``billing/tests/test_representations.py`` renders both ways and compares the bytes.
"""

from __future__ import annotations

import datetime
from typing import Any

from common.serializers import datetime_representation

PAYMENT_ROW_FIELDS = (
    "id",
    "course_id",
    "course__title",
    "course__slug",
    "amount",
    "currency",
    "status",
    "razorpay_order_id",
    "payment_id",
    "created_at",
    "paid_at",
    "refunded_at",
)


def payment_representation(row: dict[str, Any], *, zone: datetime.tzinfo | None = None) -> dict[str, Any]:
    """``PaymentSerializer(payment).data`` for a row of ``PAYMENT_ROW_FIELDS``; ``zone``: ``display_zone()``, looked
    up once for the page (``datetime_representation``)."""
    return {
        "id": str(row["id"]),
        "course": {"id": str(row["course_id"]), "title": row["course__title"], "slug": row["course__slug"]},
        "amount": row["amount"],
        "currency": row["currency"],
        "status": row["status"],
        "razorpay_order_id": row["razorpay_order_id"],
        "payment_id": row["payment_id"],
        "created_at": datetime_representation(row["created_at"], zone),
        "paid_at": datetime_representation(row["paid_at"], zone),
        "refunded_at": datetime_representation(row["refunded_at"], zone),
    }
