"""A small world with two of each kind of user, and their objects, for the authorization matrix.

Objects belong to ``student`` and ``instructor``; ``other_student`` and ``other_instructor`` own objects of
their own elsewhere, so every object route is also tried with another user's object (OWASP API1).
``demoted_instructor`` is ``instructor`` after an admin demoted them to student: they still own every
course of the world, and must have no course-staff power left over any of them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import responses
from django.core.files.base import ContentFile
from django.utils import timezone
from model_bakery import baker
from rest_framework.test import APIClient

from tests.support import razorpay
from tests.support.razorpay import FakeRazorpay, checkout_signature
from tests.support.world import course_build, payment_make

__all__ = ["checkout_signature"]

ANON, STUDENT, OTHER_STUDENT, INSTRUCTOR, OTHER_INSTRUCTOR, ADMIN, SUSPENDED, DEMOTED = (
    "anonymous",
    "student",
    "other_student",
    "instructor",
    "other_instructor",
    "admin",
    "suspended",
    "demoted_instructor",
)
ACTORS = (ANON, STUDENT, OTHER_STUDENT, INSTRUCTOR, OTHER_INSTRUCTOR, ADMIN, SUSPENDED, DEMOTED)
RZP_PAYMENT_ID = "pay_matrixpaid0001"


@dataclass
class World:
    users: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None

    def client(self, actor: str) -> APIClient:
        """A client authenticated the real way (session through the authentication classes, not forced).

        ``demoted_instructor`` demotes the world's instructor first, through the admin's service: call it
        inside a savepoint that is rolled back (the matrix does), so the other actors meet the instructor.
        """
        from accounts.services import user_change_role

        client = APIClient()
        user = self.users.get(actor)
        if actor == DEMOTED:
            user_change_role(actor=self.users[ADMIN], user=user, role="student")
        if user is not None:
            client.force_login(user)
        return client


def _course(**kwargs):
    built = course_build(**kwargs)
    return built.course, built.module, built.lesson, built.quiz


@pytest.fixture
def world(db, make_user, settings) -> World:
    from assessments.services import quiz_attempt_start, quiz_attempt_submit
    from catalog import services as catalog
    from catalog.models import Domain, Enrollment
    from certificates.services import certificate_issue, certificate_revoke
    from forum.services import flag_create, post_create, reply_create
    from notifications.models import Kind, Notification
    from notifications.services import announcement_create, unsubscribe_token_make

    razorpay.use_test_keys(settings)
    users = {
        ANON: None,
        STUDENT: make_user("student", full_name="Asha Student", email="asha@example.com"),
        OTHER_STUDENT: make_user("student", full_name="Ravi Student", email="ravi@example.com"),
        INSTRUCTOR: make_user("instructor", full_name="Meera Instructor", email="meera@example.com"),
        OTHER_INSTRUCTOR: make_user("instructor", full_name="Karan Instructor", email="karan@example.com"),
        ADMIN: make_user("admin", full_name="Anil Admin", email="anil@example.com"),
        SUSPENDED: make_user("student", full_name="Sunil Suspended", email="sunil@example.com"),
    }
    users[DEMOTED] = users[INSTRUCTOR]
    student, other_student = users[STUDENT], users[OTHER_STUDENT]
    instructor, other_instructor, admin = users[INSTRUCTOR], users[OTHER_INSTRUCTOR], users[ADMIN]
    domain = baker.make(Domain, name="Web Development", slug="web-development")

    # The instructor's free course: the student learns in it; the other student never joined it.
    course, module, lesson, quiz = _course(instructor=instructor, admin=admin, domain=domain, title="Python")
    catalog.enrollment_create(user=student, course=course)
    # The other instructor's free course, which the other student follows.
    other_course, other_module, other_lesson, other_quiz = _course(
        instructor=other_instructor, admin=admin, domain=domain, title="Rust"
    )
    catalog.enrollment_create(user=other_student, course=other_course)
    open_course, *_ = _course(instructor=other_instructor, admin=admin, domain=domain, title="Open to all")
    paid_course, *_ = _course(instructor=instructor, admin=admin, domain=domain, title="Django Pro", price="499.00")
    draft, draft_module, draft_lesson, draft_quiz = _course(
        instructor=instructor, admin=admin, domain=domain, title="Draft", publish=False
    )
    pending, *_ = _course(instructor=instructor, admin=admin, domain=domain, title="Pending", publish=False)
    pending = catalog.course_submit(course=pending)
    archived, *_ = _course(instructor=instructor, admin=admin, domain=domain, title="Archived")
    archived = catalog.course_archive(course=archived, actor=instructor)

    # The student has an open order for the paid course; the other student bought it.
    open_order = payment_make(user=student, course=paid_course, status="created")
    paid = payment_make(user=other_student, course=paid_course, status="paid")
    catalog.enrollment_grant(user=other_student, course=paid_course, source=Enrollment.Source.PAYMENT)

    attempt = quiz_attempt_submit(user=student, module=module, answers=[{"quiz": quiz.pk, "selected_option": 1}])
    open_attempt, _ = quiz_attempt_start(user=student, module=module)  # started, not yet submitted
    post = post_create(user=student, course=course, title="How do decorators work?", body="I am lost with @.")
    reply = reply_create(user=instructor, post=post, body="A decorator wraps a function.")
    other_post = post_create(user=other_student, course=other_course, title="Borrow checker?", body="Why?")
    # The instructor's note in their draft course's forum: it exists only for the course's staff.
    draft_post = post_create(user=instructor, course=draft, title="Release plan", body="Publish in May.")
    flag = flag_create(user=instructor, post=post, reason="Off topic")
    # The student's review of the instructor's course; the other student has done a lesson of theirs, so may review it.
    review = baker.make("reviews.Review", course=course, user=student, rating=4, body="Clear and short.")
    # A review in the draft course: like the course, it exists only for the course's staff.
    draft_review = baker.make("reviews.Review", course=draft, user=other_student, rating=2, body="Not out yet.")
    Enrollment.objects.filter(user=other_student, course=other_course).update(completed_lessons=1)
    catalog.wishlist_add(user=student, course=open_course)

    certificate, _ = certificate_issue(user=student, course=course)
    certificate.file.save(f"{certificate.certificate_number}.pdf", ContentFile(b"%PDF-1.4\n% matrix\n"), save=True)
    revoked, _ = certificate_issue(user=other_student, course=other_course)
    revoked = certificate_revoke(certificate=revoked, actor=admin, reason="Issued by mistake")

    notification = Notification.objects.create(
        user=student, kind=Kind.FORUM_REPLY, source_key="matrix", title="New reply", created_at=timezone.now()
    )
    announcement = announcement_create(author=instructor, course=course, title="Welcome", body="Start with module 1.")
    from billing.models import Coupon
    from billing.services import credit_note_issue, tax_invoice_issue

    coupon = Coupon.objects.create(code="MATRIX", discount_type="percent", value=10, created_by=admin)
    # The other student's purchase has its invoice (and, for the route's sake, a credit note) rendered.
    for document in (tax_invoice_issue(payment=paid), credit_note_issue(payment=paid)):
        document.file.save("document.pdf", ContentFile(b"%PDF-1.4\n% matrix\n"), save=True)
    # The instructor's payout statement for a closed month, its PDF and CSV rendered.
    statement = baker.make(
        "billing.PayoutStatement",
        instructor=instructor,
        month=datetime.date(2026, 10, 1),
        number="DCA-PS/2026-10/000001",
    )
    statement.file.save("statement.pdf", ContentFile(b"%PDF-1.4\n% matrix\n"), save=True)
    statement.csv_file.save("statement.csv", ContentFile(b"date,course\n"), save=True)

    users[SUSPENDED].is_suspended = True
    users[SUSPENDED].suspended_at = timezone.now() - timedelta(minutes=5)
    users[SUSPENDED].save()
    return World(
        users=users,
        objects={
            "domain": domain,
            "course": course,
            "module": module,
            "lesson": lesson,
            "quiz": quiz,
            "other_course": other_course,
            "other_module": other_module,
            "other_lesson": other_lesson,
            "other_quiz": other_quiz,
            "open_course": open_course,
            "paid_course": paid_course,
            "draft": draft,
            "draft_module": draft_module,
            "draft_lesson": draft_lesson,
            "draft_quiz": draft_quiz,
            "draft_post": draft_post,
            "pending": pending,
            "archived": archived,
            "open_order": open_order,
            "paid": paid,
            "attempt": attempt,
            "open_attempt": open_attempt,
            "post": post,
            "reply": reply,
            "other_post": other_post,
            "flag": flag,
            "review": review,
            "draft_review": draft_review,
            "certificate": certificate,
            "revoked": revoked,
            "notification": notification,
            "announcement": announcement,
            "unsubscribe_token": unsubscribe_token_make(user_id=student.pk, kind=Kind.ANNOUNCEMENT),
            "coupon": coupon,
            "statement": statement,
        },
    )


@pytest.fixture
def fake_razorpay(world):
    """Razorpay at the HTTP boundary: it creates orders, knows the world's payments (the student's open order
    paid as ``RZP_PAYMENT_ID``) and accepts refunds as pending."""
    from billing.models import Payment

    fake = FakeRazorpay(refund_status="pending")
    order = world.open_order
    fake.add_payment(order_id=order.razorpay_order_id, amount=order.amount, payment_id=RZP_PAYMENT_ID)
    for payment in Payment.objects.exclude(payment_id=""):
        fake.add_payment(
            order_id=payment.razorpay_order_id,
            amount=payment.amount,
            currency=payment.currency,
            payment_id=payment.payment_id,
        )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.intercept(mock)
        yield mock
