"""Staff work the admin site in headless chromium: sign in, read the dashboard and its charts, review
courses, suspend a user, decide a flag, refund a payment (Razorpay faked at the HTTP boundary) and
export rows as CSV. Each test asserts on what the page shows and on the database rows behind it."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
import responses
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from model_bakery import baker

from accounts.models import User
from accounts.tests.conftest import totp_code
from audit.models import AuditLog
from billing.models import Payment
from catalog.models import Course
from forum.models import Flag, Post
from tests.browser.conftest import run_action
from tests.support import razorpay as razorpay_keys

pytestmark = pytest.mark.browser


@pytest.fixture
def platform(make_user, staff):
    """A small live platform: an instructor with two courses waiting for review and a published one, a
    learner who bought it, a flagged post, and a few sign-ups and enrollments for the charts."""
    instructor = make_user("instructor", full_name="Meera Instructor", email="meera@example.com")
    domain = baker.make("catalog.Domain", name="Data Science", slug="data-science")
    now = timezone.now()
    waiting = [
        baker.make(
            "catalog.Course",
            instructor=instructor,
            domain=domain,
            title=title,
            status="pending_review",
            submitted_at=now - timezone.timedelta(days=days),
        )
        for title, days in [("Pandas in Practice", 3), ("Statistics Refresher", 1)]
    ]
    for course in waiting:  # a submitted course has content: approval needs a module with a lesson
        module = baker.make("catalog.Module", course=course, position=1)
        baker.make("catalog.Lesson", module=module, position=1, video_url="https://video.example.com/1.mp4")
    live = baker.make(
        "catalog.Course", instructor=instructor, domain=domain, title="SQL for Analysts", status="published", price=499
    )
    learner = make_user("student", full_name="Asha Learner", email="asha@example.com")
    for n in range(3):
        signed_up = make_user("student", email=f"learner{n}@example.com")
        # spread over the last weeks, so the sign-ups chart has more than today's bar
        User.objects.filter(pk=signed_up.pk).update(created_at=now - timezone.timedelta(days=4 + 7 * n))
    from catalog.services import enrollment_grant

    enrollment_grant(user=learner, course=live, source="payment")
    payment = baker.make(
        "billing.Payment",
        user=learner,
        course=live,
        amount=49_900,
        currency="INR",
        status="paid",
        paid_at=now,
        payment_id="pay_browser1",
        razorpay_order_id="order_browser1",
    )
    spammer = make_user("student", full_name="Spam Bot", email="spam@example.com")
    post = baker.make("forum.Post", course=live, user=spammer, title="Cheap pills here", body="Visit my site")
    flag = baker.make("forum.Flag", reporter=learner, post=post, reason="Advertising")
    return {"waiting": waiting, "live": live, "learner": learner, "payment": payment, "flag": flag, "post": post}


def test_staff_sign_in_and_the_dashboard_draws_its_charts(page, staff, platform, shot):
    from tests.browser.conftest import sign_in

    # when a member of staff signs in through the login form
    sign_in(page, email=staff.email)
    shot(page, "dashboard")
    # then the dashboard shows its figures, the three charts drawn with real bars, and what needs attention
    assert page.inner_text("#dca-students") == "5"
    charts = page.locator("svg.dca-chart")
    assert charts.count() == 3
    for index in range(3):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 50
        assert charts.nth(index).locator("rect").count() >= 30  # one bar per day of the last 30
    attention = page.locator("#dca-attention-courses")
    assert attention.locator(".dca-value").inner_text() == "2"
    assert "Pandas in Practice" in attention.inner_text() and "waiting 3" in attention.inner_text()
    assert page.locator("#dca-attention-flags .dca-value").inner_text() == "1"


def test_wrong_password_keeps_staff_out(page, staff):
    page.goto("/admin/login/?next=/admin/")
    page.fill("input[name=username]", staff.email)
    page.fill("input[name=password]", "not-the-password")
    page.click("input[type=submit]")
    assert page.locator(".errornote").is_visible()
    assert page.locator("#dca-dashboard").count() == 0


def test_approving_and_rejecting_courses_with_a_reason(signed_in, staff, platform, shot):
    page = signed_in
    pandas, statistics = platform["waiting"]
    # when staff open the courses waiting for review (a link on the dashboard) and approve the oldest
    page.click("#dca-attention-courses a.dca-label")
    shot(page, "waiting-for-review")
    rows = page.locator("#result_list tbody tr")
    assert rows.nth(0).inner_text().strip().startswith("Pandas in Practice")  # oldest submission first
    run_action(page, changelist=page.url, selected=[pandas.pk], action_label="Approve and publish selected courses")
    assert "1 course(s) approved." in page.inner_text(".messagelist")
    # and reject the other one, giving a reason
    run_action(
        page,
        changelist="/admin/catalog/course/",
        selected=[statistics.pk],
        action_label="Reject selected courses (asks for a reason)",
    )
    page.fill("textarea[name=reason]", "The videos have no audio after lesson 2.")
    shot(page, "reject-reason")
    page.click("input[name=apply]")
    assert "1 course(s) rejected." in page.inner_text(".messagelist")
    shot(page, "after-review")
    # then the database agrees, and both decisions are in the audit log under this admin
    assert Course.objects.get(pk=pandas.pk).status == "published"
    rejected = Course.objects.get(pk=statistics.pk)
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "The videos have no audio after lesson 2.")
    assert set(AuditLog.objects.filter(actor=staff).values_list("action", flat=True)) == {
        "course.approve",
        "course.reject",
    }


def test_suspending_a_user(signed_in, staff, platform, shot):
    page = signed_in
    learner = platform["learner"]
    # when staff find the learner by name and suspend them with a reason
    page.goto("/admin/accounts/user/")
    page.fill("#searchbar", "Asha")
    page.press("#searchbar", "Enter")
    page.wait_for_load_state()
    assert page.locator("#result_list tbody tr").count() == 1
    run_action(page, changelist=page.url, selected=[learner.pk], action_label="Suspend selected users")
    page.fill("textarea[name=reason]", "Chargeback fraud")
    shot(page, "suspend-reason")
    page.click("input[type=submit][value=Suspend]")
    assert "1 user(s) updated." in page.inner_text(".messagelist")
    shot(page, "suspended")
    # then
    learner.refresh_from_db()
    assert (learner.is_suspended, learner.suspension_reason) == (True, "Chargeback fraud")
    assert AuditLog.objects.get(action="user.suspend", actor=staff).details == {"reason": "Chargeback fraud"}


def test_resolving_a_flag(signed_in, staff, platform, shot):
    page = signed_in
    flag, post = platform["flag"], platform["post"]
    # when staff open the open flags from the dashboard: each row shows the flagged text and links to it
    page.click("#dca-attention-flags a.dca-label")
    shot(page, "open-flags")
    row = page.locator("#result_list tbody tr").first
    assert "Cheap pills here: Visit my site" in row.inner_text()
    assert row.locator(f"a[href='/admin/forum/post/{post.pk}/change/']").is_visible()
    # and hide the item
    run_action(page, changelist=page.url, selected=[flag.pk], action_label="Hide the flagged items")
    assert "1 item(s) decided (hide)." in page.inner_text(".messagelist")
    shot(page, "flag-resolved")
    # then
    flag.refresh_from_db()
    assert (flag.status, flag.resolved_by) == (Flag.Status.HIDDEN, staff)
    assert Post.objects.get(pk=post.pk).is_hidden is True
    assert AuditLog.objects.filter(action="flag.hide", actor=staff).count() == 1


def test_refunding_a_payment(signed_in, staff, platform, settings, shot):
    page = signed_in
    payment = platform["payment"]
    razorpay_keys.use_test_keys(settings)
    # Razorpay is answered at the HTTP boundary; the live server's thread shares this process's patch.
    with responses.RequestsMock() as razorpay:
        razorpay.post(
            f"{razorpay_keys.API_BASE_URL}/v1/payments/pay_browser1/refund",
            json={"id": "rfnd_browser1", "payment_id": "pay_browser1", "amount": 49_900, "status": "pending"},
        )
        # when staff find the payment by the buyer's email and refund it
        page.goto("/admin/billing/payment/?q=asha%40example.com")
        assert "INR 499.00" in page.inner_text("#result_list")
        run_action(
            page,
            changelist=page.url,
            selected=[payment.pk],
            action_label="Refund selected payments in full (Razorpay)",
        )
        assert "Refund requested for 1 payment(s)." in page.inner_text(".messagelist")
        shot(page, "refund-requested")
        sent = json.loads(razorpay.calls[0].request.body)
    # then Razorpay was asked for the full amount once, and the payment awaits its refund
    assert sent["amount"] == 49_900
    payment.refresh_from_db()
    assert (payment.status, payment.refund_id) == (Payment.Status.REFUND_PENDING, "rfnd_browser1")
    assert AuditLog.objects.filter(action="payment.refund", actor=staff, target_id=str(payment.pk)).count() == 1


def test_exporting_selected_users_as_csv(signed_in, platform, shot):
    page = signed_in
    learners = list(User.objects.filter(email__startswith="learner").order_by("email"))
    page.goto("/admin/accounts/user/?q=learner")
    for user in learners:
        page.check(f"input[name=_selected_action][value='{user.pk}']")
    page.select_option("select[name=action]", label="Export selected rows as CSV")
    shot(page, "export")
    # when the export runs, the browser downloads a CSV
    with page.expect_download() as download_info:
        page.click("button[name=index]")
    download = download_info.value
    assert download.suggested_filename.startswith("user-") and download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as exported:
        rows = list(csv.DictReader(io.StringIO(exported.read())))
    # then it holds exactly the selected users, and never a password
    assert sorted(row["email"] for row in rows) == [user.email for user in learners]
    assert "password" not in rows[0]
    assert {uuid.UUID(row["id"]) for row in rows} == {user.pk for user in learners}


def test_two_factor_sign_in_when_staff_must_have_it(page, staff, settings, shot):
    # Given two-factor authentication required of staff, and the admin's enrolled authenticator app
    settings.STAFF_MFA_REQUIRED = True
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    # When they sign in with the password, the site asks for the code before anything else
    page.goto("/admin/login/?next=/admin/")
    page.fill("input[name=username]", staff.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("input[type=submit]")
    page.wait_for_selector("input[name=code]")
    assert page.locator("#dca-dashboard").count() == 0
    shot(page, "code asked")
    # a wrong code keeps them there
    page.fill("input[name=code]", "000000" if totp_code(secret) != "000000" else "111111")
    page.click("input[type=submit]")
    page.wait_for_selector("input[name=code]")
    assert page.locator("#dca-dashboard").count() == 0

    # Then the code the app shows lets them in to the dashboard
    page.fill("input[name=code]", totp_code(secret))
    page.click("input[type=submit]")
    page.wait_for_selector("#dca-dashboard")
    shot(page, "signed in with two factors")


def test_staff_without_an_authenticator_are_sent_to_set_one_up(page, staff, settings, shot):
    # Given two-factor authentication required of staff, and an admin who never enrolled
    settings.STAFF_MFA_REQUIRED = True

    # When they sign in with the password and try to open the dashboard
    page.goto("/admin/login/?next=/admin/")
    page.fill("input[name=username]", staff.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("input[type=submit]")
    page.wait_for_load_state()

    # Then the site shows the set-up page, not the dashboard
    assert "/admin/mfa/setup/" in page.url
    assert page.locator("#dca-dashboard").count() == 0
    shot(page, "set-up page")
