"""The Django admin site: only active, unsuspended admins enter; the dashboard; the audit log admin;
"Export selected rows as CSV" on every model."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from audit.models import AuditLog
from audit.services import audit_record
from catalog.services import enrollment_grant
from staff.admin_site import StaffAdminSite, export_selected_as_csv

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # set by the root make_user fixture
INDEX = "/admin/"
AUDIT_CHANGELIST = "/admin/audit/auditlog/"


def test_every_app_registers_on_the_staff_site():
    assert isinstance(admin.site._wrapped, StaffAdminSite)
    assert AuditLog in admin.site._registry


def test_admin_sees_the_dashboard_with_charts(browser_for, admin_user, make_user, course_factory, payment_factory):
    # Given a learner who paid ₹1,234.50 for a course
    learner = make_user("student")
    course = course_factory(title="Data <Science>")
    enrollment_grant(user=learner, course=course, source="payment")
    payment_factory(course=course, amount=123_450, user=learner)

    # When
    response = browser_for(admin_user).get(INDEX)

    # Then: the stock index plus the dashboard, its figures and three inline SVG charts
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dca-dashboard"' in html
    assert '<span class="dca-value" id="dca-students">1</span>' in html
    assert '<span class="dca-value" id="dca-net">₹1,234.50</span>' in html
    assert html.count('<svg class="dca-chart"') == 3
    assert "Sign-ups per day" in html and "Revenue per day (captured)" in html
    # course titles are escaped, never markup
    assert "Data &lt;Science&gt;" in html and "Data <Science>" not in html
    assert response.context["dashboard"]["students"] == 1
    # the app list is still there, and the sidebar lists recent staff actions from the audit log
    assert "None yet." in html
    assert 'href="/admin/audit/auditlog/"' in html
    assert "cdn" not in html.lower() and '<script src="http' not in html


def test_the_site_is_headed_with_academy_name(browser_for, admin_user, settings):
    # Given the academy is named in the settings
    settings.ACADEMY_NAME = "Example Academy"

    # When an admin opens the site
    response = browser_for(admin_user).get(INDEX)

    # Then the header and the page title carry that name
    assert response.status_code == 200
    assert (response.context["site_header"], response.context["site_title"]) == (
        "Example Academy",
        "Example Academy staff",
    )
    assert "<title>Staff dashboard | Example Academy staff</title>" in response.content.decode()


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_non_admins_are_sent_to_the_login_page(browser_for, make_user, role):
    # Given a logged-in student or instructor
    user = make_user(role)

    # When
    index = browser_for(user).get(INDEX)
    changelist = browser_for(user).get(AUDIT_CHANGELIST)

    # Then
    assert index.status_code == 302
    assert index["Location"] == "/admin/login/?next=/admin/"
    assert changelist.status_code == 302
    assert changelist["Location"].startswith("/admin/login/")


def test_a_suspended_admin_with_a_live_session_is_kept_out(browser_for, make_user):
    # Given an admin suspended after logging in
    user = make_user("admin", is_suspended=True)

    # When
    response = browser_for(user).get(INDEX)

    # Then: refused (accounts' AuthGuardMiddleware answers 403 to any suspended session before the
    # site's own check, which would redirect to the login page)
    assert response.status_code in (302, 403)
    assert b"dca-dashboard" not in response.content


@pytest.mark.parametrize(
    ("user_kwargs", "allowed"),
    [
        ({"role": "admin"}, True),
        ({"role": "admin", "is_suspended": True}, False),
        ({"role": "admin", "is_active": False}, False),
        ({"role": "instructor"}, False),
        ({"role": "student"}, False),
    ],
)
def test_site_permission_is_for_active_unsuspended_admins_only(make_user, user_kwargs, allowed):
    request = RequestFactory().get(INDEX)
    request.user = make_user(**user_kwargs)

    assert admin.site.has_permission(request) is allowed


def test_anonymous_is_sent_to_the_login_page(browser_for):
    response = browser_for(None).get(INDEX)

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


@pytest.mark.parametrize(
    ("user_kwargs", "message"),
    [
        ({"role": "student"}, "Please enter the correct email and password for a staff account"),
        ({"role": "instructor"}, "Please enter the correct email and password for a staff account"),
        ({"role": "admin", "is_suspended": True}, "This account is suspended."),
    ],
    ids=["student", "instructor", "suspended-admin"],
)
def test_the_login_form_refuses_non_admins(browser_for, make_user, user_kwargs, message):
    user = make_user(**user_kwargs)
    client = browser_for(None)

    response = client.post("/admin/login/?next=/admin/", {"username": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_staff_login_form_itself_refuses_non_admins(make_user):
    # The site's own form, whatever another app may have set on admin.site.login_form
    from staff.admin_site import StaffAdminLoginForm

    for user, code in (
        (make_user("admin", is_suspended=True), "account_suspended"),
        (make_user("instructor"), "invalid_login"),
    ):
        form = StaffAdminLoginForm(data={"username": user.email, "password": PASSWORD})
        assert not form.is_valid()
        assert form.errors.as_data()["__all__"][0].code == code
    admin = make_user("admin")
    assert StaffAdminLoginForm(data={"username": admin.email, "password": PASSWORD}).is_valid()


def test_the_login_form_lets_an_admin_in(browser_for, admin_user):
    client = browser_for(None)

    response = client.post("/admin/login/?next=/admin/", {"username": admin_user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(admin_user.pk)


@pytest.fixture
def entry(admin_user, make_user):
    return audit_record(actor=admin_user, action="user.suspend", target=make_user("student"), details={"r": "spam"})


def test_the_index_sidebar_lists_recent_staff_actions(browser_for, admin_user, entry):
    html = browser_for(admin_user).get(INDEX).content.decode()

    assert "Recent staff actions" in html
    assert f'href="/admin/audit/auditlog/{entry.pk}/change/">user.suspend</a>' in html
    assert admin_user.full_name in html


def test_audit_log_changelist_filters(browser_for, admin_user, course_factory, entry):
    audit_record(actor=admin_user, action="course.approve", target=course_factory())
    client = browser_for(admin_user)

    everything = client.get(AUDIT_CHANGELIST)
    suspensions = client.get(AUDIT_CHANGELIST, {"action": "user.suspend"})
    by_actor_and_type = client.get(
        AUDIT_CHANGELIST, {"actor__id__exact": str(admin_user.pk), "target_type": "catalog.course"}
    )
    by_date = client.get(
        AUDIT_CHANGELIST,
        {"created_at__gte": "2000-01-01 00:00:00+05:30", "created_at__lt": "2000-01-02 00:00:00+05:30"},
    )

    assert everything.status_code == 200
    assert everything.context["cl"].result_count == 2
    assert list(suspensions.context["cl"].result_list) == [entry]
    assert [e.action for e in by_actor_and_type.context["cl"].result_list] == ["course.approve"]
    assert by_date.context["cl"].result_count == 0


def test_audit_log_is_read_only_in_the_admin(browser_for, admin_user, entry):
    client = browser_for(admin_user)
    change_url = reverse("admin:audit_auditlog_change", args=[entry.pk])

    add = client.get(reverse("admin:audit_auditlog_add"))
    view = client.get(change_url)
    edit = client.post(change_url, {"action": "forged"})
    delete = client.post(reverse("admin:audit_auditlog_delete", args=[entry.pk]), {"post": "yes"})

    assert add.status_code == 403
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert "&quot;r&quot;: &quot;spam&quot;" in view.content.decode()
    assert edit.status_code == 403
    assert delete.status_code == 403
    entry.refresh_from_db()
    assert entry.action == "user.suspend"
    actions = client.get(AUDIT_CHANGELIST).context["cl"].model_admin.get_actions(view.wsgi_request)
    assert "delete_selected" not in actions


def test_export_selected_rows_as_csv_from_the_changelist(browser_for, admin_user, make_user, entry):
    # Given another entry whose text would run as a formula in a spreadsheet
    formula = audit_record(actor=admin_user, action="user.promote", target=make_user("student", full_name="=1+1"))

    # When both rows are selected and exported
    response = browser_for(admin_user).post(
        AUDIT_CHANGELIST,
        {"action": "export_selected_as_csv", "_selected_action": [str(entry.pk), str(formula.pk)], "index": 0},
    )

    # Then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="auditlog-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["id", "actor_id", "action", "target_type", "target_id", "target_repr", "details", "created_at"]
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_id) == {str(entry.pk), str(formula.pk)}
    assert by_id[str(formula.pk)]["target_repr"] == "'=1+1"
    assert by_id[str(entry.pk)]["actor_id"] == str(admin_user.pk)


def test_export_never_writes_passwords_or_secrets(admin_user, make_user):
    # Given the export action on users, whatever their ModelAdmin looks like
    make_user("student")
    request = RequestFactory().post("/admin/accounts/user/")
    request.user = admin_user

    # When
    response = export_selected_as_csv(ModelAdmin(User, admin.site), request, User.objects.all())

    # Then
    text = b"".join(response.streaming_content).decode()
    header = text.splitlines()[0].split(",")
    assert "email" in header
    assert "password" not in header
    assert "pbkdf2" not in text and "md5$" not in text


def test_export_is_offered_on_every_registered_model(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user

    missing = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.actions is not None and "export_selected_as_csv" not in model_admin.get_actions(request)
    ]

    assert missing == []


@pytest.mark.parametrize("entries", [1, 12])
def test_the_index_query_count_does_not_grow_with_the_data(
    entries, browser_for, admin_user, make_user, django_assert_num_queries
):
    from staff.selectors import NEEDS_ATTENTION_QUERY_COUNT, STATS_QUERY_COUNT

    for _ in range(entries):
        audit_record(actor=make_user("admin"), action="user.promote", target=make_user("student"))
    client = browser_for(admin_user)

    # the session's user, the dashboard's aggregates, the "needs attention" strip, the recent audit entries
    with django_assert_num_queries(1 + STATS_QUERY_COUNT + NEEDS_ATTENTION_QUERY_COUNT + 1):
        assert client.get(INDEX).status_code == 200
