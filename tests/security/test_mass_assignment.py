"""OWASP API3 (mass assignment): protected fields sent by a client are refused or ignored, never applied.

Every writable route is called by a caller allowed to use it, with a valid body plus fields that only the
system or an admin may set (role, owner, status, price, score, progress...). The database says what stuck.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.security.conftest import ADMIN, INSTRUCTOR, OTHER_INSTRUCTOR, OTHER_STUDENT, STUDENT

pytestmark = pytest.mark.django_db


def send(world, actor, method, url, body):
    return world.client(actor).generic(method, url, data=json.dumps(body), content_type="application/json")


def refused_or_ignored(response, *ok: int) -> None:
    assert response.status_code in (*ok, 400), response.content[:300]


def test_profile_and_onboarding_cannot_change_role_staff_or_suspension(world):
    student = world.users[STUDENT]
    protected = {
        "role": "admin",
        "is_staff": True,
        "is_superuser": True,
        "is_suspended": True,
        "email": "owned@example.com",
        "id": str(world.users[ADMIN].pk),
    }
    for method, url, body in (
        ("PATCH", "/api/auth/me/", {"branch": "ME"}),
        (
            "POST",
            "/api/auth/onboarding/",
            {"full_name": "A", "domain": str(world.domain.pk), "branch": "ME", "year": 1},
        ),
    ):
        response = send(world, STUDENT, method, url, {**body, **protected})
        refused_or_ignored(response, 200)
        student.refresh_from_db()
        assert (student.role, student.is_staff, student.is_superuser, student.is_suspended) == (
            "student",
            False,
            False,
            False,
        )
        assert student.email == "asha@example.com"


def test_promote_changes_only_the_role(world):
    target = world.users[OTHER_STUDENT]
    response = send(
        world,
        ADMIN,
        "POST",
        f"/api/admin/users/{target.pk}/promote/",
        {"role": "instructor", "is_superuser": True, "email": "x@example.com", "is_suspended": True},
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert (target.role, target.is_superuser, target.is_suspended, target.email) == (
        "instructor",
        False,
        False,
        "ravi@example.com",
    )


def test_course_create_and_update_ignore_owner_status_and_counters(world):
    from catalog.models import Course

    other = world.users[OTHER_INSTRUCTOR]
    protected = {
        "instructor": str(other.pk),
        "status": "published",
        "learner_count": 999,
        "published_at": "2020-01-01T00:00:00Z",
        "slug": "hijacked",
        "id": str(world.course.pk),
    }
    body = {"title": "Fresh course", "domain": str(world.domain.pk), "price": "10.00"}
    response = send(world, INSTRUCTOR, "POST", "/api/courses/", {**body, **protected})
    refused_or_ignored(response, 201)
    if response.status_code == 201:
        course = Course.objects.get(pk=response.json()["id"])
        assert course.pk != world.course.pk
        assert (course.instructor_id, course.status, course.learner_count, course.published_at) == (
            world.users[INSTRUCTOR].pk,
            "draft",
            0,
            None,
        )
        assert course.slug != "hijacked"

    response = send(world, INSTRUCTOR, "PATCH", f"/api/courses/{world.course.pk}/", {"title": "Python!", **protected})
    refused_or_ignored(response, 200)
    world.course.refresh_from_db()
    assert world.course.instructor_id == world.users[INSTRUCTOR].pk
    assert world.course.learner_count == 1 and world.course.slug != "hijacked"


def test_modules_lessons_and_quizzes_cannot_be_moved_into_another_instructors_course(world):
    module, lesson, quiz = world.module, world.lesson, world.quiz
    for url, body in (
        (f"/api/modules/{module.pk}/", {"title": "Moved?", "course": str(world.other_course.pk)}),
        (f"/api/lessons/{lesson.pk}/", {"title": "Moved?", "module": str(world.other_module.pk)}),
        (f"/api/quizzes/{quiz.pk}/", {"question": "Moved?", "module": str(world.other_module.pk)}),
    ):
        refused_or_ignored(send(world, INSTRUCTOR, "PATCH", url, body), 200)
    module.refresh_from_db()
    lesson.refresh_from_db()
    quiz.refresh_from_db()
    assert module.course_id == world.course.pk
    assert lesson.module_id == module.pk
    assert quiz.module_id == module.pk


def test_enrolling_and_completing_ignore_source_status_and_progress(world):
    from catalog.models import Enrollment

    body = {"source": "admin", "status": "active", "progress_percent": 100, "completed_at": "2020-01-01T00:00:00Z"}
    response = send(world, STUDENT, "POST", f"/api/courses/{world.open_course.pk}/enroll/", body)
    assert response.status_code == 201
    enrollment = Enrollment.objects.get(user=world.users[STUDENT], course=world.open_course)
    assert (enrollment.source, enrollment.progress_percent, enrollment.completed_at) == ("free", 0, None)

    response = send(world, STUDENT, "POST", f"/api/lessons/{world.lesson.pk}/complete/", body)
    assert response.status_code == 200
    enrollment = Enrollment.objects.get(user=world.users[STUDENT], course=world.course)
    assert enrollment.progress_percent < 100 and enrollment.completed_at is None


def test_quiz_attempt_score_is_computed_not_taken(world):
    from assessments.models import QuizAttempt

    body = {
        "answers": [{"quiz": str(world.quiz.pk), "selected_option": 1, "is_correct": True}],
        "score": 100,
        "percentage": 100,
        "passed": True,
        "user": str(world.users[OTHER_STUDENT].pk),
    }
    response = send(world, STUDENT, "POST", f"/api/modules/{world.module.pk}/quiz-attempts/", body)
    refused_or_ignored(response, 201)
    latest = QuizAttempt.objects.order_by("-created_at").first()
    assert latest.user_id == world.users[STUDENT].pk
    assert latest.passed is False and latest.score == 0


def test_payment_amount_currency_and_status_come_from_the_server(world, fake_razorpay):
    from billing.models import Payment

    body = {"course": str(world.paid_course.pk), "amount": 1, "currency": "USD", "status": "paid", "user": "x"}
    response = send(world, STUDENT, "POST", "/api/payments/order/", body)
    refused_or_ignored(response, 200, 201)
    payment = Payment.objects.get(user=world.users[STUDENT], course=world.paid_course)
    assert (payment.amount, payment.currency, payment.status) == (49900, "INR", "created")
    assert world.paid_course.price == Decimal("499.00")


def test_forum_writes_ignore_author_score_and_moderation_fields(world):
    from forum.models import Flag, Post, Reply, Vote

    protected = {
        "user": str(world.users[OTHER_STUDENT].pk),
        "author": str(world.users[OTHER_STUDENT].pk),
        "votes": 1000,
        "reply_count": 50,
        "is_hidden": True,
        "accepted_reply": str(world.reply.pk),
        "deleted_at": "2020-01-01T00:00:00Z",
    }
    response = send(
        world,
        STUDENT,
        "POST",
        "/api/forum/posts/",
        {"course": str(world.course.pk), "title": "Fresh?", "body": "?"} | protected,
    )
    refused_or_ignored(response, 201)
    if response.status_code == 201:
        post = Post.objects.get(pk=response.json()["id"])
        assert (post.user_id, post.votes, post.reply_count, post.is_hidden, post.accepted_reply_id) == (
            world.users[STUDENT].pk,
            0,
            0,
            False,
            None,
        )

    response = send(world, STUDENT, "PATCH", f"/api/forum/posts/{world.post.pk}/", {"body": "Edited", **protected})
    refused_or_ignored(response, 200)
    world.post.refresh_from_db()
    assert (world.post.user_id, world.post.votes, world.post.is_hidden) == (world.users[STUDENT].pk, 0, False)

    response = send(world, INSTRUCTOR, "POST", f"/api/forum/posts/{world.post.pk}/vote/", {"value": 1, **protected})
    assert response.status_code == 200
    world.post.refresh_from_db()
    assert world.post.votes == 1 and Vote.objects.filter(post=world.post).count() == 1

    response = send(
        world, STUDENT, "POST", f"/api/forum/posts/{world.post.pk}/replies/", {"body": "Me too", **protected}
    )
    refused_or_ignored(response, 201)
    if response.status_code == 201:
        reply = Reply.objects.get(pk=response.json()["id"])
        assert (reply.user_id, reply.post_id, reply.is_hidden) == (world.users[STUDENT].pk, world.post.pk, False)

    response = send(
        world, STUDENT, "POST", f"/api/forum/replies/{world.reply.pk}/flag/", {"reason": "Wrong", "status": "hidden"}
    )
    refused_or_ignored(response, 201)
    assert Flag.objects.filter(reply=world.reply, status="hidden").count() == 0


def test_admin_decisions_take_only_their_own_fields(world):
    from catalog.models import Course

    response = send(
        world,
        ADMIN,
        "POST",
        f"/api/admin/courses/{world.pending.pk}/reject/",
        {"reason": "Too short", "status": "published", "instructor": str(world.users[OTHER_INSTRUCTOR].pk)},
    )
    assert response.status_code == 200
    course = Course.objects.get(pk=world.pending.pk)
    assert (course.status, course.instructor_id) == ("rejected", world.users[INSTRUCTOR].pk)
