"""platform_stats (the one source of the dashboard and /api/admin/stats/) and audit_log_list."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditLog
from audit.services import audit_record
from catalog.models import Course, Enrollment
from catalog.services import enrollment_grant, enrollment_revoke
from staff.selectors import (
    CHART_DAYS,
    STATS_QUERY_COUNT,
    audit_log_list,
    created_between,
    platform_stats,
)
from staff.tests.conftest import days_ago

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


@pytest.fixture
def platform(make_user, course_factory, payment_factory):
    """A small platform whose figures the tests count by hand."""
    students = [make_user("student") for _ in range(4)]
    make_user("student", is_suspended=True)
    instructors = [make_user("instructor") for _ in range(2)]
    admin = make_user("admin")
    python = course_factory(title="Python", instructor=instructors[0], price=Decimal("499.00"))
    django = course_factory(title="Django", instructor=instructors[1], price=Decimal("999.00"))
    course_factory(title="Draft one", status="draft")
    course_factory(title="Waiting", status="pending_review")
    course_factory(title="Old", status="archived")
    for learner in students[:3]:
        enrollment_grant(user=learner, course=python, source=Enrollment.Source.FREE)
    enrollment_grant(user=students[0], course=django, source=Enrollment.Source.PAYMENT)
    revoked, _ = enrollment_grant(user=students[3], course=django, source=Enrollment.Source.PAYMENT)
    enrollment_revoke(enrollment=revoked, reason="refund")
    Enrollment.objects.filter(user=students[1], course=python).update(completed_at=timezone.now())
    payment_factory(course=django, amount=99_900, status="paid", user=students[0])
    payment_factory(course=django, amount=99_900, status="refund_pending", user=students[1])
    payment_factory(course=django, amount=99_900, status="refunded", user=students[3])
    payment_factory(course=python, amount=49_950, status="paid", user=students[2])
    payment_factory(course=python, amount=49_900, status="failed", user=students[0])
    payment_factory(course=python, amount=49_900, status="created", user=students[1])
    return {"students": students, "instructors": instructors, "admin": admin, "python": python, "django": django}


def test_platform_stats_match_counts_made_by_hand(platform):
    # Given the platform above (every user made by make_user, 5 students of whom 1 suspended, ...)
    # When
    stats = platform_stats(use_cache=False)

    # Then: people
    assert stats["students"] == 5
    assert stats["instructors"] == 3  # two made here + the `instructor` fixture behind course_factory
    assert stats["admins"] == 1
    assert stats["suspended_users"] == 1
    # courses: Python, Django published; one each of draft, pending_review, archived
    assert stats["courses_by_status"] == {
        "draft": 1,
        "pending_review": 1,
        "published": 2,
        "rejected": 0,
        "archived": 1,
    }
    assert stats["courses_total"] == 5
    # enrollments: 3 in Python, 2 in Django (one revoked); one completed
    assert stats["enrollments"] == {"total": 5, "active": 4, "completed": 1}
    # money: captured = 999 × 3 + 499.50; refunded = 999
    assert stats["earnings"] == {
        "currency": "INR",
        "gross": Decimal("3496.50"),
        "refunded": Decimal("999.00"),
        "net": Decimal("2497.50"),
        "captured_payments": 4,
    }
    assert stats["top_courses"]["by_learners"] == [
        {"id": platform["python"].id, "title": "Python", "status": "published", "learners": 3},
        {"id": platform["django"].id, "title": "Django", "status": "published", "learners": 1},
    ]
    # net revenue: Django paid + refund pending = 1998.00; Python paid = 499.50
    assert stats["top_courses"]["by_revenue"] == [
        {"id": platform["django"].id, "title": "Django", "revenue": Decimal("1998.00"), "sales": 2},
        {"id": platform["python"].id, "title": "Python", "revenue": Decimal("499.50"), "sales": 1},
    ]


def test_platform_stats_match_an_independent_count_of_every_row(platform):
    # Given the platform, counted here in Python over every row rather than with SQL aggregates
    from accounts.models import User
    from billing.models import Payment

    users = list(User.objects.all())
    payments = list(Payment.objects.all())
    captured = [p.amount for p in payments if p.status in ("paid", "refund_pending", "refunded")]
    refunded = [p.amount for p in payments if p.status == "refunded"]
    courses = list(Course.objects.all())

    # When
    stats = platform_stats(use_cache=False)

    # Then
    assert stats["students"] == sum(u.role == "student" for u in users)
    assert stats["instructors"] == sum(u.role == "instructor" for u in users)
    assert stats["courses_by_status"]["published"] == sum(c.status == "published" for c in courses)
    assert stats["enrollments"]["total"] == len(list(Enrollment.objects.all()))
    assert stats["earnings"]["gross"] == Decimal(sum(captured)) / 100
    assert stats["earnings"]["net"] == Decimal(sum(captured) - sum(refunded)) / 100


def test_platform_stats_daily_series_cover_the_last_30_local_days(make_user, course_factory, payment_factory):
    # Given sign-ups today, 3 days ago (×2) and 40 days ago (outside the window); everyone else is old too
    old = days_ago(40)
    make_user("student", created_at=days_ago(0))
    make_user("student", created_at=days_ago(3))
    make_user("student", created_at=days_ago(3))
    course = course_factory(instructor=make_user("instructor", created_at=old))
    learner, payer, failed_payer = (make_user("student", created_at=old) for _ in range(3))
    # an enrollment 5 days ago, captured payments yesterday (one since refunded), a failed one
    enrollment, _ = enrollment_grant(user=learner, course=course, source="payment")
    Enrollment.objects.filter(pk=enrollment.pk).update(created_at=days_ago(5))
    payment_factory(course=course, amount=10_050, paid_at=days_ago(1), user=learner)
    payment_factory(course=course, amount=20_000, status="refunded", paid_at=days_ago(1), user=payer)
    payment_factory(course=course, amount=30_000, status="failed", user=failed_payer)

    # When
    series = platform_stats(use_cache=False)["last_30_days"]

    # Then: 30 consecutive days ending today, zero where nothing happened
    today = timezone.localdate()
    expected_days = [today - datetime.timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    for name in ("signups", "enrollments", "revenue"):
        assert [point["date"] for point in series[name]] == expected_days
    signups = {p["date"]: p["count"] for p in series["signups"]}
    assert signups[today] == 1
    assert signups[today - datetime.timedelta(days=3)] == 2
    assert sum(signups.values()) == 3
    enrollments = {p["date"]: p["count"] for p in series["enrollments"]}
    assert enrollments[today - datetime.timedelta(days=5)] == 1
    assert sum(enrollments.values()) == 1
    revenue = {p["date"]: p["amount"] for p in series["revenue"]}
    # gross captured by day paid: 100.50 + 200.00 (refunded later, still money received that day)
    assert revenue[today - datetime.timedelta(days=1)] == Decimal("300.50")
    assert sum(revenue.values()) == Decimal("300.50")


def test_platform_stats_on_an_empty_platform_are_zero():
    stats = platform_stats(use_cache=False)

    assert stats["students"] == 0
    assert stats["earnings"]["net"] == Decimal("0.00")
    assert stats["top_courses"] == {"by_learners": [], "by_revenue": []}
    assert all(point["count"] == 0 for point in stats["last_30_days"]["signups"])


@pytest.mark.parametrize("size", [1, 15])
def test_platform_stats_query_count_does_not_grow_with_the_data(
    size, make_user, course_factory, payment_factory, django_assert_num_queries
):
    # Given `size` courses, each with a learner and a payment
    for _ in range(size):
        course = course_factory()
        learner = make_user("student")
        enrollment_grant(user=learner, course=course, source="payment")
        payment_factory(course=course, amount=50_000, user=learner)

    # Then: people, courses by status, enrollments, earnings, top by learners, top by revenue,
    # and one query per daily series (sign-ups, enrollments, revenue)
    with django_assert_num_queries(STATS_QUERY_COUNT):
        platform_stats(use_cache=False)


def test_platform_stats_are_cached_briefly(make_user, django_assert_num_queries, settings):
    # Given figures computed once
    settings.ADMIN_STATS_CACHE_SECONDS = 60
    first = platform_stats()
    make_user("student")

    # When asked again within the cache period: no query, same figures
    with django_assert_num_queries(0):
        again = platform_stats()

    # Then
    assert again["students"] == first["students"]
    assert platform_stats(use_cache=False)["students"] == first["students"] + 1


def test_created_between_includes_both_local_days(make_user):
    # Given users made at the very start and end of local days
    from accounts.models import User

    day = timezone.localdate() - datetime.timedelta(days=10)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    before = make_user("student", created_at=start - datetime.timedelta(microseconds=1))
    first = make_user("student", created_at=start)
    last = make_user("student", created_at=start + datetime.timedelta(days=2) - datetime.timedelta(microseconds=1))
    after = make_user("student", created_at=start + datetime.timedelta(days=2))

    # When
    rows = set(created_between(User.objects.all(), date_from=day, date_to=day + datetime.timedelta(days=1)))

    # Then
    assert rows == {first, last}
    assert before not in rows and after not in rows


def test_audit_log_list_filters_by_each_field(admin_user, make_user, course_factory):
    # Given entries by two admins on two kinds of target
    other_admin = make_user("admin")
    course = course_factory()
    learner = make_user("student")
    approve = audit_record(actor=admin_user, action="course.approve", target=course)
    suspend = audit_record(actor=other_admin, action="user.suspend", target=learner, details={"reason": "spam"})
    old = audit_record(actor=admin_user, action="user.suspend", target=learner)

    AuditLog.objects.filter(pk=old.pk).update(created_at=days_ago(20))

    # Then
    assert list(audit_log_list()) == [suspend, approve, old]
    assert list(audit_log_list(action="user.suspend")) == [suspend, old]
    assert list(audit_log_list(actor_id=other_admin.pk)) == [suspend]
    assert list(audit_log_list(target_type="catalog.course")) == [approve]
    assert list(audit_log_list(target_id=str(learner.pk))) == [suspend, old]
    recent = timezone.localdate() - datetime.timedelta(days=1)
    assert list(audit_log_list(date_from=recent)) == [suspend, approve]
    assert list(audit_log_list(date_to=recent)) == [old]
