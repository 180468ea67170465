"""The webhook's reads compiled once (billing.services): the same rows, instances, locks and duplicate rule as the
querysets they stand in for."""

from __future__ import annotations

import psycopg
import pytest
from django.db import transaction
from model_bakery import baker

from billing import services
from billing.models import Payment
from billing.tests.conftest import make_payment
from catalog.models import Enrollment
from tests.support.concurrency import another_session


def _columns(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


@pytest.mark.django_db
class TestPaymentLock:
    def test_by_key_and_by_order_load_what_select_related_loads(self, order, django_assert_num_queries):
        expected = Payment.objects.select_related("user", "course").get(pk=order.pk)
        with transaction.atomic():
            for found in (services._lock(order.pk), services._lock_by_order("order_A1")):
                with django_assert_num_queries(0):
                    assert _columns(found) == _columns(expected)
                    assert _columns(found.user) == _columns(expected.user)
                    assert _columns(found.course) == _columns(expected.course)

    def test_missing_payments(self, order):
        with transaction.atomic():
            assert services._lock_by_order("order_unknown") is None
            with pytest.raises(Payment.DoesNotExist):
                services._lock(Enrollment._meta.pk.default())


@pytest.mark.django_db
class TestOwnedOtherwise:
    @pytest.mark.parametrize(
        ("other", "owned"),
        [
            (None, False),
            ("paid", True),
            ("refund_pending", True),
            ("failed", False),
            ("refunded", False),
            ("coupon_active", True),
            ("coupon_revoked", False),
            ("free_active", False),
            ("someone_else_paid", False),
        ],
    )
    def test_the_rule(self, other, owned, student, other_student, paid_course, order):
        if other in ("paid", "refund_pending", "failed", "refunded"):
            make_payment(
                student, paid_course, status=other, razorpay_order_id="order_B", receipt="dca_b", payment_id="pay_B"
            )
        elif other and other.startswith(("coupon", "free")):
            source, status = other.split("_")
            baker.make(Enrollment, user=student, course=paid_course, source=source, status=status)
        elif other == "someone_else_paid":
            paid = {"status": "paid", "payment_id": "pay_C"}
            make_payment(other_student, paid_course, razorpay_order_id="order_C", receipt="dca_c", **paid)
        assert services._is_owned_otherwise(order) is owned


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_lock_holds_the_payment_its_learner_and_course(order, student, paid_course):
    # as select_for_update() with select_related locks every row it reads
    with transaction.atomic():
        services._lock_by_order("order_A1")
        with another_session() as other:
            rows = (("billing_payment", order.pk), ("accounts_user", student.pk), ("catalog_course", paid_course.pk))
            for table, pk in rows:
                with pytest.raises(psycopg.errors.LockNotAvailable):
                    other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])  # noqa: S608
                other.rollback()
