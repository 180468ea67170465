"""audit_record: one row per staff action, whoever and whatever the target."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from moderation.models import AuditLog
from moderation.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_record_writes_actor_action_target_and_details(admin_user, course_factory):
    course = course_factory(title="Python")

    entry = audit_record(actor=admin_user, action="course.approve", target=course, details={"note": "fine"})

    stored = AuditLog.objects.get()
    assert stored == entry
    assert stored.actor == admin_user
    assert (stored.action, stored.target_type, stored.target_id, stored.target_repr) == (
        "course.approve",
        "catalog.course",
        str(course.pk),
        "Python",
    )
    assert stored.details == {"note": "fine"}
    assert stored.created_at is not None
    assert str(stored) == "course.approve Python"


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_audit_record_without_a_user_keeps_no_actor(actor, course_factory):
    entry = audit_record(actor=actor, action="payment.refund", target=course_factory())

    assert entry.actor is None
    assert entry.details == {}
