"""Suspension races on PostgreSQL: two admins suspending at once give one suspension and one audit row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts import services
from accounts.models import User
from common.exceptions import ConflictError
from moderation.models import AuditLog


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_suspensions_record_one(make_user):
    target = make_user("student")
    admins = [make_user("admin"), make_user("admin")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def suspend(admin):
        try:
            barrier.wait()
            services.user_suspend(actor=admin, user=User.objects.get(pk=target.pk), reason=f"by {admin.pk}")
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=suspend, args=(admin,)) for admin in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "ok"]
    assert AuditLog.objects.filter(action="user.suspend").count() == 1
