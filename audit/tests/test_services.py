"""audit_record: one row per staff action, whoever and whatever the target."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from audit.models import AuditLog
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_record_writes_actor_action_target_and_details(admin_user, make_user):
    target = make_user(email="learner@example.com")

    entry = audit_record(actor=admin_user, action="user.suspend", target=target, details={"note": "fine"})

    stored = AuditLog.objects.get()
    assert stored == entry
    assert stored.actor == admin_user
    assert (stored.action, stored.target_type, stored.target_id, stored.target_repr) == (
        "user.suspend",
        "accounts.user",
        str(target.pk),
        str(target),
    )
    assert stored.details == {"note": "fine"}
    assert stored.created_at is not None
    assert str(stored) == f"user.suspend {target}"


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_audit_record_without_a_user_keeps_no_actor(actor, make_user):
    entry = audit_record(actor=actor, action="user.suspend", target=make_user())

    assert entry.actor is None
    assert entry.details == {}
