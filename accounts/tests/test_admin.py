"""The Django admin for users: list, filters, search, and actions that go through the audited services."""

from __future__ import annotations

import pytest

from moderation.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(client, admin_user):
    client.force_login(admin_user)
    return client


def test_changelist_with_filters_and_search(admin_browser, student, instructor):
    response = admin_browser.get("/admin/accounts/user/", {"role__exact": "instructor", "q": "meera"})
    assert response.status_code == 200
    assert instructor.email.encode() in response.content
    assert student.email.encode() not in response.content


def test_suspend_action_asks_for_a_reason_then_calls_the_service(admin_browser, student):
    form = admin_browser.post(
        "/admin/accounts/user/", {"action": "suspend_users", "_selected_action": [str(student.pk)]}
    )
    assert form.status_code == 200 and b"reason" in form.content

    admin_browser.post(
        "/admin/accounts/user/",
        {"action": "suspend_users", "_selected_action": [str(student.pk)], "apply": "1", "reason": "Fraud"},
    )

    student.refresh_from_db()
    assert student.is_suspended and student.suspension_reason == "Fraud"
    assert AuditLog.objects.get(action="user.suspend").details == {"reason": "Fraud"}


def test_unsuspend_and_role_actions(admin_browser, make_user):
    user = make_user("student", is_suspended=True)
    admin_browser.post("/admin/accounts/user/", {"action": "unsuspend_users", "_selected_action": [str(user.pk)]})
    admin_browser.post("/admin/accounts/user/", {"action": "make_instructor", "_selected_action": [str(user.pk)]})

    user.refresh_from_db()
    assert (user.is_suspended, user.role) == (False, "instructor")
    assert set(AuditLog.objects.values_list("action", flat=True)) == {"user.unsuspend", "user.role_change"}


def test_admin_cannot_suspend_self_from_the_admin_either(admin_browser, admin_user):
    admin_browser.post(
        "/admin/accounts/user/",
        {"action": "suspend_users", "_selected_action": [str(admin_user.pk)], "apply": "1", "reason": "x"},
    )
    admin_user.refresh_from_db()
    assert not admin_user.is_suspended
