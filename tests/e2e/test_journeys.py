"""End-to-end journeys over HTTP, as the frontend sees the product (API.md is the contract).

Every client signs in through allauth headless (Bearer tokens of the ``app`` client, or the session cookie
and CSRF token of the ``browser`` client); Razorpay is faked at its HTTP API. Each journey asserts on
response bodies (shape and contract conventions) and on the database rows behind them.
"""

from __future__ import annotations

import csv
import io

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from accounts.models import User
from assessments.models import QuizAttempt
from audit.models import AuditLog
from billing.models import Payment
from catalog.models import Course, Enrollment, LessonProgress
from certificates.models import Certificate
from forum.models import Flag, Post, Reply
from gamification.models import XPEvent
from tests.e2e.conftest import (
    PASSWORD,
    RZP_API,
    RZP_KEY_ID,
    Api,
    allauth_app,
    app_login,
    app_signup,
    assert_error,
    assert_page,
    build_course,
    checkout_signature,
    is_iso_with_offset,
    is_uuid,
    key_from_last_mail,
    login_api,
    publish,
    signed_webhook,
    walk,
)
from tests.support.google import google_token_login

pytestmark = pytest.mark.django_db


def _answers(questions: list[dict], *, correct: bool = True) -> dict:
    return {
        "answers": [
            {"quiz": q["id"], "selected_option": q["correct_option"] if correct else (q["correct_option"] + 1) % 3}
            for q in questions
        ]
    }


def _no_answer_keys(document) -> None:
    leaked = [key for key, _ in walk(document) if key == "correct_option"]
    assert not leaked, f"correct_option leaked to a learner: {document}"


# --- (a) a student, from sign-up to certificate and leaderboard ------------------------------------------


@pytest.mark.calendar  # the weekly leaderboard
def test_student_journey_signup_to_certificate(
    settings, domains, instructor_api, admin_api, anonymous, django_capture_on_commit_callbacks
):
    # Given a published free course of 2 modules x 2 lessons, each module with a 2-question quiz
    course = build_course(instructor_api, domain=domains["software"], title="Python Foundations")
    publish(instructor_api, admin_api, course.id)

    # When a learner signs up with production settings (verification mandatory)
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    app, signup = app_signup("asha@example.com")

    # Then they are not signed in until the emailed key is posted back
    assert signup.status_code == 401, signup.content
    pending = signup.json()
    assert any(f["id"] == "verify_email" and f.get("is_pending") for f in pending["data"]["flows"])
    assert "access_token" not in pending["meta"]
    key = key_from_last_mail(f"{settings.FRONTEND_URL}/auth/verify-email/")
    verified = app.post(
        allauth_app("auth/email/verify"),
        {"key": key},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=pending["meta"]["session_token"],
    )
    assert verified.status_code == 200, verified.content
    assert EmailAddress.objects.get(email="asha@example.com").verified

    # And a password login gives the app its token pair
    login = app_login("asha@example.com")
    assert login.status_code == 200, login.content
    meta = login.json()["meta"]
    assert meta["access_token"] and meta["refresh_token"]
    assert login.json()["data"]["user"]["onboarding_required"] is True
    me = Api(access_token=meta["access_token"], refresh_token=meta["refresh_token"])

    # When the app reads the profile: onboarding is required, the user is a student
    profile = me.get("/api/auth/me/")
    assert profile.status_code == 200
    body = profile.json()
    assert body["onboarding_required"] is True and body["role"] == "student"
    assert is_uuid(body["id"]) and is_iso_with_offset(body["created_at"])
    assert set(body) >= {"id", "email", "full_name", "role", "domain", "branch", "year", "created_at"}

    # When the learner picks a domain from the public list and completes onboarding
    listed = anonymous.get("/api/domains/")
    assert listed.status_code == 200
    domain_rows = assert_page(listed.json())
    software = next(d for d in domain_rows if d["slug"] == "software")
    assert set(software) == {"id", "name", "slug"} and is_uuid(software["id"])
    bad = me.post("/api/auth/onboarding/", {"full_name": "Asha Verma", "domain": software["id"], "year": 9})
    assert set(assert_error(bad, 400, "invalid")["errors"]) == {"branch", "year"}
    done = me.post(
        "/api/auth/onboarding/",
        {"full_name": "Asha Verma", "domain": software["id"], "branch": "Computer Science", "year": 2},
    )
    assert done.status_code == 200, done.content
    assert done.json()["onboarding_required"] is False
    assert done.json()["domain"]["slug"] == "software"
    me.user_id = done.json()["id"]
    user = User.objects.get(email="asha@example.com")
    assert user.onboarding_completed_at is not None and user.year == 2 and user.role == "student"

    # When they browse the catalogue of their domain and open the course
    catalogue = anonymous.get("/api/courses/", {"domain": "software"})
    assert catalogue.status_code == 200
    rows = assert_page(catalogue.json())
    assert [c["id"] for c in rows] == [course.id]
    assert rows[0]["price"] == "0.00" and rows[0]["is_free"] is True
    assert assert_page(anonymous.get("/api/courses/", {"domain": "data-science"}).json()) == []
    assert assert_page(anonymous.get("/api/courses/", {"is_free": "false"}).json()) == []
    assert [c["id"] for c in assert_page(anonymous.get("/api/courses/", {"search": "python"}).json())] == [course.id]
    detail = me.get(f"/api/courses/{course.id}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "published" and is_iso_with_offset(detail.json()["published_at"])

    # Then the curriculum is ordered and locks content URLs except the preview lesson
    curriculum = me.get(f"/api/courses/{course.id}/curriculum/").json()
    _no_answer_keys(curriculum)
    assert curriculum["has_access"] is False
    assert [m["position"] for m in curriculum["modules"]] == [1, 2]
    lessons = [lesson for m in curriculum["modules"] for lesson in m["lessons"]]
    assert [lesson["id"] for lesson in lessons] == [lesson["id"] for lesson in course.lessons]
    preview, *locked = lessons
    assert preview["is_locked"] is False and preview["video_url"].startswith("https://")
    assert all(
        lesson["is_locked"] and lesson["video_url"] is None and lesson["materials_url"] is None for lesson in locked
    )
    assert_error(me.get(f"/api/lessons/{locked[0]['id']}/"), 404)
    assert_error(me.post(f"/api/lessons/{locked[0]['id']}/complete/"), 403, "not_enrolled")

    # When they enroll (free): 201, and a second time 409
    enrolled = me.post(f"/api/courses/{course.id}/enroll/")
    assert enrolled.status_code == 201, enrolled.content
    assert enrolled.json()["source"] == "free" and enrolled.json()["status"] == "active"
    assert_error(me.post(f"/api/courses/{course.id}/enroll/"), 409, "already_enrolled")
    assert Enrollment.objects.filter(user=user, course_id=course.id, status="active").count() == 1
    unlocked = me.get(f"/api/courses/{course.id}/curriculum/").json()
    assert unlocked["has_access"] is True
    assert all(not lesson["is_locked"] and lesson["video_url"] for m in unlocked["modules"] for lesson in m["lessons"])

    # When they complete every lesson (twice for the first: idempotent)
    for lesson in course.lessons:
        progress = me.post(f"/api/lessons/{lesson['id']}/complete/")
        assert progress.status_code == 200, progress.content
    again = me.post(f"/api/lessons/{course.lessons[0]['id']}/complete/")
    assert again.status_code == 200 and again.json()["completed_lessons"] == 4
    progress = progress.json()
    assert progress["percent"] == 100 and progress["total_lessons"] == 4
    assert progress["completed_at"] is None  # the quizzes are still to pass
    assert progress["last_lesson"]["id"] == course.lessons[-1]["id"]
    assert LessonProgress.objects.filter(user=user, course_id=course.id).count() == 4

    # When they take every module quiz: questions never carry the answer; a wrong try fails, a right one passes
    for index, module in enumerate(course.modules):
        questions = me.get("/api/quizzes/", {"module": module["id"]})
        assert questions.status_code == 200
        _no_answer_keys(questions.json())
        assert len(assert_page(questions.json())) == 2
        single = me.get(f"/api/quizzes/{course.quizzes[module['id']][0]['id']}/")
        assert single.status_code == 200
        _no_answer_keys(single.json())
        failed = me.post(
            f"/api/modules/{module['id']}/quiz-attempts/", _answers(course.quizzes[module["id"]], correct=False)
        )
        assert failed.status_code == 201, failed.content
        _no_answer_keys(failed.json())
        assert failed.json()["passed"] is False and failed.json()["score"] == 0
        last = index == len(course.modules) - 1
        with django_capture_on_commit_callbacks(execute=True):
            passed = me.post(f"/api/modules/{module['id']}/quiz-attempts/", _answers(course.quizzes[module["id"]]))
        assert passed.status_code == 201, passed.content
        attempt = passed.json()
        _no_answer_keys(attempt)
        assert attempt["passed"] is True and attempt["first_pass"] is True
        assert attempt["score"] == attempt["total"] == 2 and attempt["percentage"] == 100.0
        assert all(r["is_correct"] for r in attempt["results"])
        assert last or not Certificate.objects.filter(user=user).exists()
    results = me.get("/api/quiz-results/", {"module": course.modules[0]["id"]})
    assert results.status_code == 200
    _no_answer_keys(results.json())
    assert [a["passed"] for a in assert_page(results.json())] == [True, False]  # newest first
    assert QuizAttempt.objects.filter(user=user).count() == 4

    # Then the enrollment is complete
    mine = me.get("/api/enrollments/")
    assert mine.status_code == 200
    (row,) = assert_page(mine.json())
    assert row["course"]["id"] == course.id and row["percent"] == 100
    assert row["completed_lessons"] == row["total_lessons"] == 4 and is_iso_with_offset(row["completed_at"])
    one = me.get(f"/api/enrollments/{course.id}/").json()
    assert all(
        lesson["completed"] and is_iso_with_offset(lesson["completed_at"])
        for m in one["modules"]
        for lesson in m["lessons"]
    )
    assert Enrollment.objects.get(user=user, course_id=course.id).completed_at is not None

    # And a certificate is listed, its PDF downloads, and anyone can verify it by code (without the email)
    certificates = me.get("/api/certificates/")
    assert certificates.status_code == 200
    (cert,) = assert_page(certificates.json())
    assert cert["course"]["id"] == course.id and cert["status"] == "valid" and cert["file_ready"] is True
    assert set(cert) >= {"id", "course", "certificate_number", "verification_code", "issue_date", "cert_url", "status"}
    assert cert["cert_url"].endswith(f"/api/certificates/{cert['id']}/download/")
    pdf = me.get(f"/api/certificates/{cert['id']}/download/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert_error(anonymous.get(f"/api/certificates/{cert['id']}/download/"), 401)
    verification = anonymous.get(f"/api/certificates/verify/{cert['verification_code']}/")
    assert verification.status_code == 200
    public = verification.json()
    assert public["holder_name"] == "Asha Verma" and public["status"] == "valid"
    assert public["course"]["id"] == course.id and public["issue_date"] == cert["issue_date"]
    assert "asha@example.com" not in verification.content.decode()
    assert_error(anonymous.get("/api/certificates/verify/not-a-real-code/"), 404)
    assert Certificate.objects.get(user=user).file

    # And XP and badges were earned: 4 lessons x 10 + 2 quizzes x 25 + the course 100
    xp = me.get("/api/gamification/xp/")
    assert xp.status_code == 200
    assert xp.json()["total"] == 190 == sum(e.points for e in XPEvent.objects.filter(user=user))
    assert {e["type"] for e in xp.json()["events"]} == {"lesson_complete", "quiz_pass", "course_complete"}
    assert all(is_iso_with_offset(e["timestamp"]) for e in xp.json()["events"])
    badges = me.get("/api/gamification/badges/")
    assert badges.status_code == 200
    earned = {b["code"] for b in assert_page(badges.json()) if b["earned"]}
    assert earned == {"first-lesson", "first-quiz", "first-course", "xp-100"}

    # And the weekly leaderboard shows them with a rank, for everyone and in "me"
    board = me.get("/api/leaderboard/", {"period": "weekly"})
    assert board.status_code == 200
    board = board.json()
    assert (
        board["period"] == "weekly" and is_iso_with_offset(board["starts_at"]) and is_iso_with_offset(board["ends_at"])
    )
    assert board["results"][0] == {"rank": 1, "user": {"id": me.user_id, "full_name": "Asha Verma"}, "points": 190}
    assert board["me"] == {"rank": 1, "points": 190}
    assert anonymous.get("/api/leaderboard/", {"domain": "software"}).json()["me"] is None
    assert anonymous.get("/api/leaderboard/", {"domain": "data-science"}).json()["results"] == []

    # And the instructor sees per-question statistics (one learner with two tries counts once)
    stats = instructor_api.get("/api/quizzes/stats/", {"module": course.modules[0]["id"]})
    assert stats.status_code == 200
    assert [(q["attempted_learners"], q["correct_learners"]) for q in assert_page(stats.json())] == [(1, 1), (1, 1)]
    assert_error(me.get("/api/quizzes/stats/", {"module": course.modules[0]["id"]}), 403, "not_course_staff")

    # When an admin revokes the certificate: public verification says so (without the reason), no download
    revoked = admin_api.post(f"/api/admin/certificates/{cert['id']}/revoke/", {"reason": "Plagiarised answers"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    public = anonymous.get(f"/api/certificates/verify/{cert['verification_code']}/")
    assert public.json()["status"] == "revoked" and is_iso_with_offset(public.json()["revoked_at"])
    assert "Plagiarised" not in public.content.decode()
    assert_error(me.get(f"/api/certificates/{cert['id']}/download/"), 409, "certificate_revoked")
    assert admin_api.get(f"/api/certificates/{cert['id']}/download/").status_code == 200
    (entry,) = assert_page(admin_api.get("/api/admin/audit-log/", {"action": "certificate.revoke"}).json())
    assert entry["target_id"] == cert["id"]

    # When the app refreshes its tokens: the new pair works
    refreshed = me.client.post(
        allauth_app("tokens/refresh"), {"refresh_token": me.refresh_token}, content_type="application/json"
    )
    assert refreshed.status_code == 200, refreshed.content
    spent_refresh_token = me.refresh_token
    me.access_token = refreshed.json()["data"]["access_token"]
    me.refresh_token = refreshed.json()["data"]["refresh_token"]
    assert me.get("/api/auth/me/").status_code == 200
    # and when the spent refresh token is presented again (stolen and replayed), the whole sign-in ends
    replay = me.client.post(
        allauth_app("tokens/refresh"), {"refresh_token": spent_refresh_token}, content_type="application/json"
    )
    assert replay.status_code == 400
    assert me.get("/api/auth/me/").status_code == 401
    me = login_api("asha@example.com")

    # When the user logs out: both tokens stop working at once
    logout = me.client.delete(allauth_app("auth/session"), HTTP_AUTHORIZATION=f"Bearer {me.access_token}")
    assert logout.status_code == 401
    assert_error(me.get("/api/auth/me/"), 401, "invalid_token")
    spent = me.client.post(
        allauth_app("tokens/refresh"), {"refresh_token": me.refresh_token}, content_type="application/json"
    )
    assert spent.status_code == 400


# --- (b) a paid course: order, verify, history, refund, webhook, access revoked ----------------------------


def test_paid_course_purchase_refund_journey(
    domains, instructor_api, admin_api, signup_student, anonymous, rzp, django_capture_on_commit_callbacks
):
    # Given a published paid course and a signed-up learner
    course = build_course(
        instructor_api, domain=domains["software"], title="Django Deep Dive", price="499.00", modules=1
    )
    publish(instructor_api, admin_api, course.id)
    me = signup_student("ravi@example.com", "Ravi Kumar")
    user = User.objects.get(email="ravi@example.com")
    listed = anonymous.get("/api/courses/", {"is_free": "false"}).json()["results"]
    assert [(c["id"], c["price"], c["is_free"]) for c in listed] == [(course.id, "499.00", False)]

    # When they try to enroll directly: 402 payment_required
    assert_error(me.post(f"/api/courses/{course.id}/enroll/"), 402, "payment_required")

    # When they open an order: the amount comes from the database, in paise
    rzp.post(
        f"{RZP_API}/v1/orders",
        json={"id": "order_E2E1", "entity": "order", "amount": 49900, "currency": "INR", "status": "created"},
    )
    order = me.post("/api/payments/order/", {"course": course.id})
    assert order.status_code == 201, order.content
    order = order.json()
    assert order["order_id"] == "order_E2E1" and order["amount"] == 49900 and isinstance(order["amount"], int)
    assert order["currency"] == "INR" and order["key_id"] == RZP_KEY_ID
    assert order["prefill"] == {"name": "Ravi Kumar", "email": "ravi@example.com"}
    assert is_uuid(order["payment"])
    import json as _json

    assert _json.loads(rzp.calls[0].request.body)["amount"] == 49900
    assert Payment.objects.get(pk=order["payment"]).status == "created"

    # When Checkout's callback is forged: 400 invalid_signature, nothing changes
    forged = me.post(
        "/api/payments/verify/",
        {"razorpay_order_id": "order_E2E1", "razorpay_payment_id": "pay_E2E1", "razorpay_signature": "0" * 64},
    )
    assert_error(forged, 400, "invalid_signature")
    assert not Enrollment.objects.filter(user=user).exists()

    # When the real callback arrives with a correct HMAC: paid and enrolled
    rzp.get(
        f"{RZP_API}/v1/payments/pay_E2E1",
        json={
            "id": "pay_E2E1",
            "entity": "payment",
            "order_id": "order_E2E1",
            "amount": 49900,
            "currency": "INR",
            "status": "captured",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        verified = me.post(
            "/api/payments/verify/",
            {
                "razorpay_order_id": "order_E2E1",
                "razorpay_payment_id": "pay_E2E1",
                "razorpay_signature": checkout_signature("order_E2E1", "pay_E2E1"),
            },
        )
    assert verified.status_code == 200, verified.content
    paid = verified.json()
    assert paid["status"] == "paid" and paid["amount"] == 49900 and paid["currency"] == "INR"
    assert is_iso_with_offset(paid["paid_at"]) and paid["refunded_at"] is None
    enrollment = Enrollment.objects.get(user=user, course_id=course.id)
    assert enrollment.status == "active" and enrollment.source == "payment"
    assert [m.to for m in mail.outbox if "Django Deep Dive" in m.body] == [["ravi@example.com"]]  # the receipt
    assert_error(me.post(f"/api/courses/{course.id}/enroll/"), 409, "already_enrolled")

    # And they learn: one lesson done, content unlocked
    assert me.post(f"/api/lessons/{course.lessons[0]['id']}/complete/").json()["completed_lessons"] == 1
    assert me.get(f"/api/courses/{course.id}/curriculum/").json()["has_access"] is True

    # And the purchase is in the history
    history = me.get("/api/payments/history/")
    assert history.status_code == 200
    (row,) = assert_page(history.json())
    assert row["id"] == order["payment"] and row["course"]["id"] == course.id
    assert row["amount"] == 49900 and row["status"] == "paid" and is_iso_with_offset(row["created_at"])

    # When a learner tries the admin refund: 403; when an admin refunds: refund_pending, access kept
    assert_error(me.post(f"/api/admin/payments/{order['payment']}/refund/", {}), 403)
    rzp.post(
        f"{RZP_API}/v1/payments/pay_E2E1/refund",
        json={"id": "rfnd_E2E1", "entity": "refund", "payment_id": "pay_E2E1", "amount": 49900, "status": "pending"},
    )
    refunded = admin_api.post(f"/api/admin/payments/{order['payment']}/refund/", {"reason": "Changed my mind"})
    assert refunded.status_code == 200, refunded.content
    assert refunded.json()["status"] == "refund_pending" and refunded.json()["refund_id"] == "rfnd_E2E1"
    assert Enrollment.objects.get(pk=enrollment.pk).status == "active"
    assert_error(admin_api.post(f"/api/admin/payments/{order['payment']}/refund/", {}), 409, "refund_already_requested")

    # When Razorpay's webhook is not signed: refused
    bad = anonymous.client.post(
        "/api/payments/webhook/", b"{}", content_type="application/json", HTTP_X_RAZORPAY_SIGNATURE="nope"
    )
    assert_error(bad, 400, "invalid_signature")

    # When the signed refund.processed webhook arrives: refunded and access revoked, progress kept
    processed = signed_webhook(
        anonymous,
        "refund.processed",
        refund={
            "id": "rfnd_E2E1",
            "entity": "refund",
            "payment_id": "pay_E2E1",
            "amount": 49900,
            "status": "processed",
        },
    )
    assert processed.status_code == 200, processed.content
    assert processed.json() == {"status": "applied"}
    payment = Payment.objects.get(pk=order["payment"])
    assert payment.status == "refunded" and payment.refunded_at is not None
    enrollment.refresh_from_db()
    assert enrollment.status == "revoked" and enrollment.revoked_at is not None
    assert LessonProgress.objects.filter(user=user, course_id=course.id).count() == 1
    curriculum = me.get(f"/api/courses/{course.id}/curriculum/").json()
    assert curriculum["has_access"] is False
    assert all(
        lesson["video_url"] is None for lesson in curriculum["modules"][0]["lessons"] if not lesson["is_preview"]
    )
    assert_error(me.post(f"/api/lessons/{course.lessons[1]['id']}/complete/"), 403, "not_enrolled")
    assert_error(me.get("/api/quizzes/", {"module": course.modules[0]["id"]}), 403, "not_enrolled")
    kept = me.get(f"/api/enrollments/{course.id}/")
    assert kept.status_code == 200
    assert kept.json()["status"] == "revoked" and kept.json()["completed_lessons"] == 1
    (row,) = assert_page(me.get("/api/payments/history/").json())
    assert row["status"] == "refunded" and is_iso_with_offset(row["refunded_at"])

    # When the learner buys the course again: a new order, and the old enrollment (with its progress) returns
    rzp.post(
        f"{RZP_API}/v1/orders",
        json={"id": "order_E2E2", "entity": "order", "amount": 49900, "currency": "INR", "status": "created"},
    )
    again = me.post("/api/payments/order/", {"course": course.id})
    assert again.status_code == 201, again.content
    rzp.get(
        f"{RZP_API}/v1/payments/pay_E2E2",
        json={
            "id": "pay_E2E2",
            "entity": "payment",
            "order_id": "order_E2E2",
            "amount": 49900,
            "currency": "INR",
            "status": "captured",
        },
    )
    rebought = me.post(
        "/api/payments/verify/",
        {
            "razorpay_order_id": "order_E2E2",
            "razorpay_payment_id": "pay_E2E2",
            "razorpay_signature": checkout_signature("order_E2E2", "pay_E2E2"),
        },
    )
    assert rebought.status_code == 200 and rebought.json()["status"] == "paid"
    enrollment.refresh_from_db()
    assert enrollment.status == "active" and enrollment.completed_lessons == 1
    assert [p["status"] for p in assert_page(me.get("/api/payments/history/").json())] == ["paid", "refunded"]


# --- (c) an instructor publishes a course; learners use its forum; an admin moderates ---------------------


def test_instructor_course_review_and_forum_moderation_journey(
    domains, instructor_api, staff_account, admin_api, signup_student, anonymous
):
    # Given an instructor who authors a course through the API
    created = instructor_api.post(
        "/api/courses/",
        {"title": "Data Wrangling", "description": "Pandas.", "domain": str(domains["data"].pk), "price": "0"},
    )
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft" and draft["price"] == "0.00" and is_uuid(draft["id"])
    assert draft["instructor"]["full_name"] == "Meera Iyer"
    bad = instructor_api.post("/api/courses/", {"title": "x", "domain": "not-a-uuid", "price": "-1"})
    assert set(assert_error(bad, 400, "invalid")["errors"]) == {"title", "domain", "price"}
    module = instructor_api.post("/api/modules/", {"course": draft["id"], "title": "Series"}).json()
    assert module["position"] == 1 and module["course"] == draft["id"]
    lesson = instructor_api.post(
        "/api/lessons/", {"module": module["id"], "title": "Indexing", "video_url": "https://cdn.example.com/i.mp4"}
    )
    assert lesson.status_code == 201, lesson.content
    assert lesson.json()["video_url"] == "https://cdn.example.com/i.mp4" and lesson.json()["position"] == 1
    quiz = instructor_api.post(
        "/api/quizzes/",
        {"module": module["id"], "question": "loc or iloc?", "options": ["loc", "iloc"], "correct_option": 1},
    )
    assert quiz.status_code == 201 and quiz.json()["correct_option"] == 1  # the owner sees the answer
    assert_error(
        instructor_api.post(
            "/api/quizzes/", {"module": module["id"], "question": "?", "options": ["a"], "correct_option": 3}
        ),
        400,
        "invalid",
    )

    # Then the draft is the instructor's alone
    mine = assert_page(instructor_api.get("/api/courses/mine/").json())
    assert [(c["id"], c["status"]) for c in mine] == [(draft["id"], "draft")]
    assert_error(anonymous.get(f"/api/courses/{draft['id']}/"), 404)
    assert assert_page(anonymous.get("/api/courses/").json()) == []
    other = staff_account("instructor", "karan@example.com", "Karan Singh")
    # Someone else's draft does not exist for another instructor: 404, not 403
    assert_error(other.patch(f"/api/courses/{draft['id']}/", {"title": "Mine now"}), 404, "not_found")
    assert_error(other.post(f"/api/courses/{draft['id']}/submit/"), 404, "not_found")

    # When the instructor submits it: pending review, visible in the admin queue with the instructor's email
    submitted = instructor_api.post(f"/api/courses/{draft['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "pending_review"
    assert_error(instructor_api.post(f"/api/courses/{draft['id']}/submit/"), 409)
    assert_error(instructor_api.post(f"/api/admin/courses/{draft['id']}/approve/"), 403)
    queue = admin_api.get("/api/admin/courses/", {"status": "pending_review"})
    assert queue.status_code == 200
    (queued,) = assert_page(queue.json())
    assert queued["id"] == draft["id"] and queued["instructor"]["email"] == "meera@example.com"

    # When an admin approves it: published and in the catalogue, and the audit log says so
    approved = admin_api.post(f"/api/admin/courses/{draft['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "published"
    assert_error(admin_api.post(f"/api/admin/courses/{draft['id']}/approve/"), 409)
    catalogue = assert_page(anonymous.get("/api/courses/", {"domain": "data-science"}).json())
    assert [c["id"] for c in catalogue] == [draft["id"]]
    assert Course.objects.get(pk=draft["id"]).published_at is not None
    approvals = admin_api.get("/api/admin/audit-log/", {"action": "course.approve"}).json()
    (entry,) = assert_page(approvals)
    assert entry["target_id"] == draft["id"] and entry["actor"]["email"] == "anil@example.com"
    assert is_iso_with_offset(entry["created_at"])

    # Given four enrolled learners and one outsider
    asha, ravi, neha, omar = (
        signup_student(f"{name}@example.com", f"{name.title()} Learner", domain="data")
        for name in ("asha", "ravi", "neha", "omar")
    )
    for learner in (asha, ravi, neha, omar):
        assert learner.post(f"/api/courses/{draft['id']}/enroll/").status_code == 201
    outsider = signup_student("zoe@example.com", "Zoe Outsider", domain="data")
    assert_error(outsider.get("/api/forum/posts/", {"course": draft["id"]}), 403, "forum_access_denied")

    # When Asha asks a question, Ravi answers, Neha upvotes, and Asha accepts Ravi's answer
    asked = asha.post(
        "/api/forum/posts/",
        {"course": draft["id"], "module": module["id"], "title": "loc vs iloc?", "body": "When do I use which?"},
    )
    assert asked.status_code == 201, asked.content
    post = asked.json()
    assert post["votes"] == 0 and post["reply_count"] == 0 and post["accepted_reply"] is None
    assert post["author"]["id"] == asha.user_id and is_iso_with_offset(post["created_at"])
    replied = ravi.post(f"/api/forum/posts/{post['id']}/replies/", {"body": "iloc is positional."})
    assert replied.status_code == 201, replied.content
    reply = replied.json()
    voted = neha.post(f"/api/forum/posts/{post['id']}/vote/", {"value": 1})
    assert voted.status_code == 200 and voted.json() == {"post": post["id"], "votes": 1, "my_vote": 1}
    assert neha.post(f"/api/forum/posts/{post['id']}/vote/", {"value": 1}).json()["votes"] == 1  # one vote per user
    assert_error(asha.post(f"/api/forum/posts/{post['id']}/vote/", {"value": 1}), 403, "forum_vote_own_post")
    assert_error(neha.post(f"/api/forum/posts/{post['id']}/vote/", {"value": 2}), 400, "invalid")
    assert_error(neha.post(f"/api/forum/replies/{reply['id']}/accept/"), 403)
    accepted = asha.post(f"/api/forum/replies/{reply['id']}/accept/")
    assert accepted.status_code == 200 and accepted.json()["is_accepted"] is True
    thread = asha.get(f"/api/forum/posts/{post['id']}/").json()
    assert thread["accepted_reply"] == reply["id"] and thread["votes"] == 1 and thread["reply_count"] == 1
    replies = assert_page(asha.get(f"/api/forum/posts/{post['id']}/replies/").json())
    assert [(r["id"], r["is_accepted"]) for r in replies] == [(reply["id"], True)]
    assert XPEvent.objects.filter(user__email="ravi@example.com", type="answer_accepted", points=15).exists()
    assert XPEvent.objects.filter(user__email="asha@example.com", type="forum_post", points=5).exists()

    # When three readers flag the question: it is hidden automatically, except for its author and admins
    for reader in (ravi, neha, omar):
        flagged = reader.post(f"/api/forum/posts/{post['id']}/flag/", {"reason": "Off-topic spam"})
        assert flagged.status_code == 201, flagged.content
        if reader is ravi:
            again = ravi.post(f"/api/forum/posts/{post['id']}/flag/", {"reason": "Again"})
            assert_error(again, 409, "forum_already_flagged")
            assert Post.objects.get(pk=post["id"]).is_hidden is False
    assert Post.objects.get(pk=post["id"]).is_hidden is True
    assert_error(neha.get(f"/api/forum/posts/{post['id']}/"), 404)
    assert assert_page(neha.get("/api/forum/posts/", {"course": draft["id"]}).json()) == []
    assert asha.get(f"/api/forum/posts/{post['id']}/").json()["is_hidden"] is True

    # When the admin works through the queue and hides the question
    assert_error(asha.get("/api/admin/flags/"), 403)
    queue = admin_api.get("/api/admin/flags/", {"status": "open"})
    assert queue.status_code == 200
    flags = assert_page(queue.json())
    assert len(flags) == 3 and {f["reporter"]["id"] for f in flags} == {ravi.user_id, neha.user_id, omar.user_id}
    assert all(f["item_type"] == "post" and f["item_is_hidden"] for f in flags)
    resolved = admin_api.post(f"/api/admin/flags/{flags[0]['id']}/resolve/", {"action": "hide"})
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["status"] == "hidden" and is_iso_with_offset(resolved.json()["resolved_at"])
    assert_error(admin_api.post(f"/api/admin/flags/{flags[1]['id']}/resolve/", {"action": "dismiss"}), 409)
    assert Flag.objects.filter(post_id=post["id"], status="hidden").count() == 3
    assert assert_page(admin_api.get("/api/admin/flags/", {"status": "open"}).json()) == []

    # Then the audit log shows exactly one moderation entry for it
    log = admin_api.get("/api/admin/audit-log/", {"action": "flag.hide"})
    (entry,) = assert_page(log.json())
    assert entry["actor"]["id"] == admin_api.user_id and entry["target_id"] == flags[0]["id"]
    assert AuditLog.objects.filter(action="flag.hide").count() == 1
    assert Reply.objects.get(pk=reply["id"]).post_id is not None


# --- (d) an admin suspends and unsuspends a learner, reads statistics and a CSV report --------------------


@pytest.mark.calendar  # stats and reports by day
def test_admin_suspension_stats_and_reports_journey(domains, instructor_api, admin_api, signup_student):
    # Given a learner signed in on the app (holding a token pair) and a free published course they took
    course = build_course(instructor_api, domain=domains["software"], title="Git Essentials", modules=1)
    publish(instructor_api, admin_api, course.id)
    learner = signup_student("priya@example.com", "Priya Shah")
    assert learner.post(f"/api/courses/{course.id}/enroll/").status_code == 201
    user = User.objects.get(email="priya@example.com")

    # When a non-admin tries user management: refused
    assert_error(learner.get("/api/admin/users/"), 403)
    assert_error(Api().get("/api/admin/users/"), 401)

    # When the admin finds and suspends the learner
    found = admin_api.get("/api/admin/users/", {"search": "priya"})
    assert found.status_code == 200
    (row,) = assert_page(found.json())
    assert row["id"] == learner.user_id and row["is_suspended"] is False
    suspended = admin_api.post(f"/api/admin/users/{learner.user_id}/suspend/", {"reason": "Spam in the forum"})
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["is_suspended"] is True and is_iso_with_offset(suspended.json()["suspended_at"])
    assert_error(
        admin_api.post(f"/api/admin/users/{learner.user_id}/suspend/", {"reason": "x"}), 409, "already_suspended"
    )
    assert_error(
        admin_api.post(f"/api/admin/users/{admin_api.user_id}/suspend/", {"reason": "x"}), 403, "cannot_suspend_self"
    )
    user.refresh_from_db()
    assert user.is_suspended and user.suspension_reason == "Spam in the forum"

    # Then the learner's existing token is refused everywhere, and so are a new login and a refresh
    assert_error(learner.get("/api/auth/me/"), 403, "account_suspended")
    assert_error(learner.get("/api/enrollments/"), 403, "account_suspended")
    assert_error(learner.post(f"/api/lessons/{course.lessons[0]['id']}/complete/"), 403, "account_suspended")
    login = app_login("priya@example.com")
    assert login.status_code == 403, login.content
    assert login.json()["code"] == "account_suspended" and "meta" not in login.json()
    refresh = learner.client.post(
        allauth_app("tokens/refresh"), {"refresh_token": learner.refresh_token}, content_type="application/json"
    )
    assert refresh.status_code == 403 and refresh.json()["code"] == "account_suspended"
    assert not LessonProgress.objects.filter(user=user).exists()

    # When the admin unsuspends: the very same token works again, and so does a login
    restored = admin_api.post(f"/api/admin/users/{learner.user_id}/unsuspend/")
    assert restored.status_code == 200 and restored.json()["is_suspended"] is False
    assert_error(admin_api.post(f"/api/admin/users/{learner.user_id}/unsuspend/"), 409, "not_suspended")
    assert learner.get("/api/auth/me/").status_code == 200
    assert learner.post(f"/api/lessons/{course.lessons[0]['id']}/complete/").status_code == 200
    assert login_api("priya@example.com").get("/api/auth/me/").json()["email"] == "priya@example.com"
    actions = [
        e["action"] for e in assert_page(admin_api.get("/api/admin/audit-log/", {"target_id": learner.user_id}).json())
    ]
    assert actions == ["user.unsuspend", "user.suspend"]

    # When the admin reads the platform statistics
    assert_error(learner.get("/api/admin/stats/"), 403)
    stats = admin_api.get("/api/admin/stats/")
    assert stats.status_code == 200
    stats = stats.json()
    assert stats["students"] == 1 and stats["instructors"] == 1
    assert stats["courses_by_status"]["published"] == 1
    assert stats["enrollments"]["total"] == 1
    assert stats["earnings"] == {
        "currency": "INR",
        "gross": "0.00",
        "refunded": "0.00",
        "net": "0.00",
        "captured_payments": 0,
    }
    assert stats["top_courses"]["by_learners"][0]["id"] == course.id

    # And downloads the users report as CSV
    assert_error(learner.get("/api/admin/reports/users/"), 403)
    report = admin_api.get("/api/admin/reports/users/")
    assert report.status_code == 200
    assert report["Content-Type"].startswith("text/csv")
    assert "attachment" in report["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(report.streaming_content).decode())))
    by_email = {r["email"]: r for r in rows}
    assert set(by_email) == {"priya@example.com", "meera@example.com", "anil@example.com"}
    assert by_email["priya@example.com"]["role"] == "student" and by_email["priya@example.com"]["domain"] == "software"
    enrollments = admin_api.get("/api/admin/reports/enrollments/", {"from": "2020-01-01"})
    lines = b"".join(enrollments.streaming_content).decode().strip().splitlines()
    assert len(lines) == 2 and course.id in lines[1]
    assert_error(admin_api.get("/api/admin/reports/users/", {"from": "2026-13-01"}), 400, "invalid")
    assert_error(admin_api.get("/api/admin/reports/nope/"), 404)


# --- the browser client: session cookie + CSRF -----------------------------------------------------------


def test_browser_client_session_and_csrf_journey(domains):
    browser = Client(enforce_csrf_checks=True)

    # Given the SPA fetched allauth's config, which sets the csrftoken cookie
    config = browser.get("/_allauth/browser/v1/config")
    assert config.status_code == 200
    csrf = browser.cookies["csrftoken"].value

    # When it signs up without the CSRF header: refused; with it: signed in by session cookie, no tokens
    refused = browser.post(
        "/_allauth/browser/v1/auth/signup",
        {"email": "sam@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    assert_error(refused, 403, "csrf_failed")
    signed_up = browser.post(
        "/_allauth/browser/v1/auth/signup",
        {"email": "sam@example.com", "password": PASSWORD},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert signed_up.status_code == 200, signed_up.content
    assert "access_token" not in signed_up.json().get("meta", {})
    assert "sessionid" in browser.cookies
    assert browser.get("/_allauth/browser/v1/auth/session").status_code == 200

    # Then the project API knows the user through the cookie
    me = browser.get("/api/auth/me/")
    assert me.status_code == 200 and me.json()["email"] == "sam@example.com"
    assert me.json()["onboarding_required"] is True

    # When it writes without X-CSRFToken: 403 csrf_failed; with the (rotated) cookie value: 200
    csrf = browser.cookies["csrftoken"].value
    payload = {"full_name": "Sam Rao", "domain": str(domains["software"].pk), "branch": "ECE", "year": 3}
    no_header = browser.post("/api/auth/onboarding/", payload, content_type="application/json")
    assert_error(no_header, 403, "csrf_failed")
    done = browser.post("/api/auth/onboarding/", payload, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert done.status_code == 200, done.content
    assert done.json()["onboarding_required"] is False
    patched = browser.patch(
        "/api/auth/me/", {"branch": "Mechanical"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert patched.status_code == 200 and patched.json()["branch"] == "Mechanical"
    assert_error(
        browser.patch("/api/auth/me/", {"role": "admin"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf),
        400,
        "invalid",
    )
    assert User.objects.get(email="sam@example.com").role == "student"

    # When it logs out: the session ends and the API says 401
    logout = browser.delete("/_allauth/browser/v1/auth/session", HTTP_X_CSRFTOKEN=csrf)
    assert logout.status_code == 401
    assert_error(browser.get("/api/auth/me/"), 401, "not_authenticated")

    # And it can log in again with the password
    csrf = browser.cookies["csrftoken"].value
    login = browser.post(
        "/_allauth/browser/v1/auth/login",
        {"email": "sam@example.com", "password": PASSWORD},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert login.status_code == 200, login.content
    assert browser.get("/api/auth/me/").json()["full_name"] == "Sam Rao"


# --- Google sign-in through the app client (token flow): first login needs onboarding ---------------------


def test_google_token_first_login_requires_onboarding_journey(domains, fake_google, make_id_token):
    def google_login(id_token: str):
        return google_token_login(Client(), id_token)

    # When a new user signs in with a Google ID token
    first = google_login(make_id_token(sub="g-42", email="kavya@example.com", name="Kavya Nair"))

    # Then they get tokens, are a student named by Google, and must complete onboarding
    assert first.status_code == 200, first.content
    me = Api(access_token=first.json()["meta"]["access_token"])
    profile = me.get("/api/auth/me/").json()
    assert profile["onboarding_required"] is True and profile["role"] == "student"
    assert profile["full_name"] == "Kavya Nair" and profile["email"] == "kavya@example.com"
    assert EmailAddress.objects.get(email="kavya@example.com").verified

    # When they complete onboarding and sign in with Google again: no onboarding, same account
    done = me.post(
        "/api/auth/onboarding/",
        {"full_name": "Kavya Nair", "domain": str(domains["data"].pk), "branch": "Statistics", "year": 1},
    )
    assert done.status_code == 200
    again = google_login(make_id_token(sub="g-42", email="kavya@example.com", name="Kavya Nair"))
    assert again.status_code == 200
    assert again.json()["data"]["user"]["onboarding_required"] is False
    assert User.objects.filter(email="kavya@example.com").count() == 1

    # And a forged token is refused
    forged = google_login(make_id_token(sub="g-42", email="kavya@example.com", aud="someone-else"))
    assert forged.status_code == 400
