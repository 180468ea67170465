"""Suspension races on PostgreSQL: two admins suspending at once give one suspension and one audit row."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import User
from audit.models import AuditLog
from common.exceptions import ConflictError
from tests.support.concurrency import returned, run_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_suspensions_record_one(make_user):
    target = make_user("student")
    admins = [make_user("admin"), make_user("admin")]

    def suspend(admin) -> str:
        try:
            services.user_suspend(actor=admin, user=User.objects.get(pk=target.pk), reason=f"by {admin.pk}")
        except ConflictError:
            return "conflict"
        return "ok"

    outcomes = returned(run_concurrently(*[lambda admin=admin: suspend(admin) for admin in admins]))

    assert sorted(outcomes) == ["conflict", "ok"]
    assert AuditLog.objects.filter(action="user.suspend").count() == 1
