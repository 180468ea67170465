"""The Django admin for users: list, filters, search, and actions that go through the audited services."""

from __future__ import annotations

import pytest

from audit.models import AuditLog

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


def test_one_accounts_section_and_no_allauth_or_group_sections(admin_browser):
    # when an admin opens the site
    response = admin_browser.get("/admin/")
    # then the project's Accounts section is the only one about people (Google's client configuration stays)
    sections = [app["app_label"] for app in response.context["app_list"]]
    assert sections.count("accounts") == 1
    assert not {"account", "usersessions", "auth"} & set(sections)
    social = next(app for app in response.context["app_list"] if app["app_label"] == "socialaccount")
    assert [model["object_name"] for model in social["models"]] == ["SocialApp"]
    assert [app["name"] for app in response.context["app_list"]].count("Accounts") == 1


def test_user_page_shows_sign_in_details_read_only(admin_browser, student):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=student, email=student.email, verified=True, primary=True)
    html = admin_browser.get(f"/admin/accounts/user/{student.pk}/change/").content.decode()
    assert "Email addresses (allauth)" in html and student.email in html
    assert "Google sign-in" in html and "Signed-in sessions" in html
    assert 'name="emailaddress_set-0-email"' not in html  # shown, not editable


def test_profile_edits_go_through_the_service_and_role_is_not_editable(admin_browser, student):
    response = admin_browser.post(
        f"/admin/accounts/user/{student.pk}/change/",
        {
            "full_name": "Asha S. Student",
            "domain": "",
            "branch": "CSE",
            "year": 2,
            "role": "admin",  # read-only: ignored
            "emailaddress_set-TOTAL_FORMS": 0,
            "emailaddress_set-INITIAL_FORMS": 0,
            "socialaccount_set-TOTAL_FORMS": 0,
            "socialaccount_set-INITIAL_FORMS": 0,
            "usersession_set-TOTAL_FORMS": 0,
            "usersession_set-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    student.refresh_from_db()
    assert (student.full_name, student.branch, student.year, student.role) == ("Asha S. Student", "CSE", 2, "student")


def test_users_are_never_deleted_from_the_admin(admin_browser, student):
    assert admin_browser.post(f"/admin/accounts/user/{student.pk}/delete/", {"post": "yes"}).status_code == 403
    assert type(student).objects.filter(pk=student.pk).exists()
