"""``manage.py seed_demo``: the promised accounts and data, idempotence, the DEBUG guard and sign-in."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from assessments.models import Quiz, QuizAttempt
from billing.models import Payment
from catalog.models import Course, Enrollment, Lesson
from certificates.models import Certificate
from common.timeutils import local_day_start, local_midnight, local_today, month_start
from forum.models import Flag, Post, Reply, Vote
from gamification.models import UserBadge, XPEvent
from gamification.selectors import leaderboard_get
from gamification.services import leaderboards_rebuild
from seed import content
from seed.checks import consistency_violations
from seed.demo import ACTIVE_LEARNERS

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def assert_alive() -> None:
    """The demo student and the active learners earned XP today, so this week's and this month's boards are
    full and show the demo student's points; the two boards differ whenever the periods start on different days."""
    now = timezone.now()
    earned_today = set(
        XPEvent.objects.filter(timestamp__gte=local_day_start(now), timestamp__lte=now).values_list("user", flat=True)
    )
    active = {content.STUDENT_EMAIL, *(content.STUDENTS[index][0] for index in ACTIVE_LEARNERS)}
    assert set(User.objects.filter(email__in=active).values_list("pk", flat=True)) <= earned_today
    student = User.objects.get(email=content.STUDENT_EMAIL)
    weekly = leaderboard_get(period="weekly", limit=10, viewer=student)
    monthly = leaderboard_get(period="monthly", limit=10, viewer=student)
    for board in (weekly, monthly):
        assert len(board.results) >= len(active)
        assert board.me.rank is not None and board.me.points > 0
    if weekly.window.start != monthly.window.start:
        assert [(r.user_id, r.points) for r in weekly.results] != [(r.user_id, r.points) for r in monthly.results]


def test_seed_demo_creates_the_accounts_people_and_catalogue(seeded):
    # Given a fresh database, when seed_demo has run (fixture)
    # Then the three documented accounts exist with the demo password and a verified address
    roles = {content.ADMIN_EMAIL: "admin", content.INSTRUCTOR_EMAIL: "instructor", content.STUDENT_EMAIL: "student"}
    for email, role in roles.items():
        user = User.objects.get(email=email)
        assert user.role == role
        assert user.check_password(content.DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified
    assert User.objects.get(email=content.ADMIN_EMAIL).is_staff
    # And the staff accounts sign in without being sent to the learners' onboarding
    assert not User.objects.filter(role__in=["admin", "instructor"], onboarding_completed_at__isnull=False).exists()
    assert not any(user.onboarding_required for user in User.objects.exclude(role="student"))
    # And the password and the accounts are printed at the end
    assert content.DEMO_PASSWORD in seeded
    assert all(email in seeded for email in roles)
    # And at least 6 domains, 5 instructors, 30 onboarded students and 1 admin exist
    assert apps.get_model("catalog", "Domain").objects.count() >= 6
    assert User.objects.filter(role="instructor").count() == 5
    students = User.objects.filter(role="student")
    assert students.count() == 30
    assert not students.filter(onboarding_completed_at__isnull=True).exists()
    assert User.objects.filter(role="admin").count() == 1
    # And 12 courses, free and paid, in every review state
    assert Course.objects.count() == 12
    assert set(Course.objects.values_list("status", flat=True)) == {"published", "pending_review", "draft", "rejected"}
    published = Course.objects.published()
    assert published.filter(price=0).exists() and published.filter(price__gt=0).exists()
    assert Course.objects.get(status="rejected").rejection_reason
    # And every published course has modules, lessons with https content links, and quiz questions
    for course in published:
        lessons = Lesson.objects.filter(module__course=course)
        assert course.modules.count() >= 3
        assert lessons.count() >= 9
        assert not lessons.exclude(
            video_url__startswith="https://", materials_url__startswith="https://", subtitle_url__startswith="https://"
        ).exists()
        assert Quiz.objects.filter(module__course=course).count() >= 9
    # And the demo instructor owns published courses
    assert published.filter(instructor__email=content.INSTRUCTOR_EMAIL).count() >= 2


def test_seed_demo_creates_learning_history_and_xp_through_the_services(seeded):
    # Then enrollments have varied progress, including completed courses with certificates
    percents = set(Enrollment.objects.values_list("progress_percent", flat=True))
    assert 0 in percents and 100 in percents and len(percents) > 5
    completed = Enrollment.objects.filter(completed_at__isnull=False)
    assert completed.count() >= 3
    assert Certificate.objects.count() == completed.count()
    # And every paid enrollment is backed by a paid payment of the course's price
    for enrollment in Enrollment.objects.filter(source="payment").select_related("course"):
        payment = Payment.objects.get(user=enrollment.user, course=enrollment.course, status="paid")
        assert payment.amount == int(enrollment.course.price * 100)
    assert QuizAttempt.objects.filter(passed=False).exists() and QuizAttempt.objects.filter(passed=True).exists()
    # And the demo student is enrolled in a free and a paid course with some progress
    student = User.objects.get(email=content.STUDENT_EMAIL)
    mine = Enrollment.objects.filter(user=student).select_related("course")
    in_progress = [e for e in mine if 0 < e.progress_percent < 100]
    assert any(e.course.price == 0 for e in in_progress) and any(e.course.price > 0 for e in in_progress)
    # And all denormalised counters agree with what they count
    assert consistency_violations() == dict.fromkeys(consistency_violations(), 0)
    # And XP events span several weeks
    timestamps = XPEvent.objects.order_by("timestamp").values_list("timestamp", flat=True)
    assert (timestamps.last() - timestamps.first()).days >= 28
    # And the history is alive now, whatever the clock (see _assert_alive)
    assert_alive()
    # And the roll-ups equal the ledger, and badges were earned
    assert leaderboards_rebuild(fix=False).count == 0
    assert UserBadge.objects.values("badge").distinct().count() >= 4
    assert XPEvent.objects.values("type").distinct().count() == 5


def test_seed_demo_creates_a_living_forum_and_paid_enrollments(seeded):
    # Then there are posts, replies, votes (up and down), an accepted answer and an open flag
    assert Post.objects.count() >= 5
    assert Reply.objects.count() >= 8
    assert Vote.objects.filter(value=1).exists() and Vote.objects.filter(value=-1).exists()
    assert Post.objects.filter(accepted_reply__isnull=False).exists()
    assert XPEvent.objects.filter(type="answer_accepted").exists()
    flag = Flag.objects.get(status="open")
    assert flag.reply is not None and not flag.reply.is_hidden
    # And every post's author is enrolled in its course
    enrolled = Enrollment.objects.filter(user=OuterRef("user"), course=OuterRef("course"))
    assert not Post.objects.exclude(Exists(enrolled)).exists()
    # And each paid enrollment has exactly one owned payment
    owned = Payment.objects.filter(status__in=Payment.OWNED).values("user", "course").annotate(n=Count("pk"))
    assert owned and all(row["n"] == 1 for row in owned)
    assert Enrollment.objects.filter(source="payment").count() == owned.count()


def test_seed_demo_creates_coupons(seeded):
    from billing.models import Coupon

    codes = dict(Coupon.objects.values_list("code", "created_by__role"))
    assert codes == {"WELCOME10": "admin", "LAUNCH200": "instructor", "DIWALI25": "admin"}
    launch = Coupon.objects.get(code="LAUNCH200")
    assert [course.instructor_id for course in launch.courses.all()] == [launch.created_by_id]


def test_seed_demo_paid_payments_have_tax_invoices(seeded):
    from billing.models import Payment, TaxDocument

    paid = Payment.objects.filter(status="paid")
    invoices = TaxDocument.objects.filter(kind="invoice")
    assert paid.exists() and invoices.count() == paid.count()
    assert all(
        invoice.taxable_value + invoice.cgst + invoice.sgst + invoice.igst == invoice.total for invoice in invoices
    )


def test_seed_demo_gives_the_demo_instructor_payout_statements(seeded):
    from billing.models import EarningEntry, PayoutStatement

    # every sale before this month is on a statement; the demo instructor's older month is paid
    instructor = User.objects.get(email=content.INSTRUCTOR_EMAIL)
    statements = PayoutStatement.objects.filter(instructor=instructor).order_by("month")
    assert statements.exists()
    assert all(s.net == sum(line.entry.net for line in s.lines.select_related("entry")) for s in statements)
    stated = EarningEntry.objects.filter(statement_line__isnull=False).count()
    before_this_month = EarningEntry.objects.filter(created_at__lt=local_midnight(month_start(local_today())))
    assert stated == before_this_month.count() > 0


def test_seed_demo_twice_adds_nothing(seeded, settings):
    # Given the demo data is loaded (fixture)
    before = _row_counts()

    # When it runs again, with DEBUG off and --force
    settings.DEBUG = False
    _seed(force=True)

    # Then no table has a row more or less
    assert _row_counts() == before

    # And the consistency checks would notice a counter out of step (they can fail)
    Course.objects.filter(pk=Course.objects.published().first().pk).update(learner_count=999)
    Post.objects.filter(pk=Post.objects.first().pk).update(reply_count=99)
    problems = consistency_violations()
    assert problems["course learner_count != active enrollments"] == 1
    assert problems["post reply_count != visible replies"] == 1


def test_demo_student_signs_in_through_allauth(seeded, client):
    # allauth loads the JWT key through cryptography's serialization module without importing it; in a
    # process where nothing else did, login fails (reported to accounts). Import it as a running server would.
    import cryptography.hazmat.primitives.serialization  # noqa: F401

    # When the demo student logs in with the app client
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": content.STUDENT_EMAIL, "password": content.DEMO_PASSWORD},
        content_type="application/json",
    )

    # Then they get a token that opens their enrollments
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["access_token"]
    enrollments = client.get("/api/enrollments/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert enrollments.status_code == 200
    assert enrollments.json()["count"] == 3


def test_seed_demo_creates_reviews_and_a_wishlist(seeded):
    from catalog.models import Course, WishlistItem
    from reviews.models import HelpfulVote, Review
    from reviews.services import course_ratings_rebuild

    student = User.objects.get(email=content.STUDENT_EMAIL)
    # The demo student reviewed the course they completed, and its instructor replied
    own = Review.objects.get(user=student)
    assert own.course.slug == "modern-javascript-and-react" and own.replied_at is not None
    # Other learners reviewed too, some found helpful, every reviewer allowed by the rules
    assert Review.objects.count() >= 10
    assert HelpfulVote.objects.exists()
    for review in Review.objects.all():
        enrollment = Enrollment.objects.get(user=review.user, course=review.course)
        assert enrollment.status == "active" and enrollment.completed_lessons >= 1
    # The courses' figures equal their reviews
    assert course_ratings_rebuild(check=True) == []
    assert Course.objects.filter(rating_count__gt=0).count() >= 3
    # The demo student keeps two courses for later, none they are enrolled in
    saved = WishlistItem.objects.filter(user=student)
    assert sorted(saved.values_list("course__slug", flat=True)) == sorted(content.DEMO_WISHLIST)
    assert not Enrollment.objects.filter(user=student, course__in=saved.values("course")).exists()


def test_the_demo_student_has_an_inbox_a_streak_and_a_place_to_resume(seeded, client_for):
    from gamification.selectors import streak_get
    from notifications.models import Announcement, Notification

    student = User.objects.get(email=content.STUDENT_EMAIL)
    # Then her inbox holds her certificate, replies to her questions and her courses' announcements
    kinds = set(Notification.objects.filter(user=student).values_list("kind", flat=True))
    assert {"certificate_issued", "forum_reply", "announcement"} <= kinds
    unread = client_for(student).get("/api/notifications/unread-count/").json()["unread"]
    assert 0 < unread < Notification.objects.filter(user=student).count()
    assert Announcement.objects.count() == len(content.ANNOUNCEMENTS)
    # And she is on a streak that includes today (her recent lessons fell one a day)
    streak = streak_get(user=student)
    assert streak.current >= 3 and streak.today_counted
    assert student.badges.filter(badge__code="streak-3").exists()
