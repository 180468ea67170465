"""GET /api/instructor/dashboard/: per course figures in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from billing.services import payment_settle_captured, payment_settle_refund
from billing.tests.conftest import make_payment, payment_entity

pytestmark = pytest.mark.django_db
URL = "/api/instructor/dashboard/"


def test_dashboard_figures(client_for, instructor, other_instructor, student, other_student, paid_course):
    # given two sales of the course, one refunded, one completed enrollment and quiz attempts
    for n, user in enumerate((student, other_student)):
        payment = make_payment(user, paid_course, razorpay_order_id=f"order_{n}", receipt=f"dca_{n}")
        payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment, pay_id=f"pay_{n}"))
    refunded = paid_course.payments.get(user=other_student)
    payment_settle_refund(
        payment=refunded, refund={"id": "rfnd", "payment_id": "pay_1", "amount": 49900, "status": "processed"}
    )
    paid_course.enrollments.filter(user=student).update(completed_at=timezone.now())
    module = baker.make("catalog.Module", course=paid_course)
    for percentage in ("80.00", "60.00"):
        baker.make(
            "assessments.QuizAttempt",
            module=module,
            user=student,
            score=1,
            total=1,
            percentage=Decimal(percentage),
            pass_mark=50,
            passed=True,
        )
    lesson = baker.make("catalog.Lesson", module=module)
    baker.make("catalog.LessonProgress", user=student, lesson=lesson, course=paid_course, completed_at=timezone.now())
    old = baker.make("catalog.Lesson", module=module)
    baker.make(
        "catalog.LessonProgress",
        user=other_student,
        lesson=old,
        course=paid_course,
        completed_at=timezone.now() - timedelta(days=31),
    )
    baker.make("catalog.Course", instructor=other_instructor)  # not mine
    # when the instructor opens the dashboard
    response = client_for(instructor).get(URL)
    # then the course shows its learners, activity, completion, quiz score and money
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == str(paid_course.pk)
    assert (row["learners"], row["active_30d"], row["completion_rate"]) == (1, 1, 50.0)
    assert row["average_quiz_score"] == "70.00" and row["rating"] is None
    assert (row["revenue"], row["refunds"], row["net_earnings"]) == (99800, -49900, 29602)


def test_dashboard_rating_is_the_course_average_once_reviewed(client_for, instructor, paid_course):
    # given the course's review figures (kept by catalog.services.course_rating_change)
    type(paid_course).objects.filter(pk=paid_course.pk).update(rating_count=3, rating_average=Decimal("4.33"))
    # then the dashboard shows the average
    (row,) = client_for(instructor).get(URL).json()["results"]
    assert row["rating"] == 4.33


def test_dashboard_query_count_is_the_same_for_1_and_20_courses(client_for, instructor, django_assert_max_num_queries):
    client = client_for(instructor)
    baker.make("catalog.Course", instructor=instructor)
    # count, page of courses with every figure as a correlated subquery
    with django_assert_max_num_queries(2):
        assert len(client.get(URL).json()["results"]) == 1
    baker.make("catalog.Course", instructor=instructor, _quantity=19)
    with django_assert_max_num_queries(2):
        assert len(client.get(URL).json()["results"]) == 20


def test_dashboard_refuses_students(client_for, student):
    assert client_for(student).get(URL).status_code == 403
    assert client_for(None).get(URL).status_code == 401
