"""A small world with two of each kind of user, and their objects, for the authorization matrix.

Objects belong to ``student`` and ``instructor``; ``other_student`` and ``other_instructor`` own objects of
their own elsewhere, so every object route is also tried with another user's object (OWASP API1).
``demoted_instructor`` is ``instructor`` after an admin demoted them to student: they still own every
course of the world, and must have no course-staff power left over any of them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import responses
from django.core.files.base import ContentFile
from django.utils import timezone
from model_bakery import baker
from rest_framework.test import APIClient

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
RZP_KEY_ID, RZP_KEY_SECRET, RZP_WEBHOOK_SECRET = "rzp_test_matrix", "matrix-key-secret", "matrix-webhook-secret"
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


def _course(*, instructor, admin, domain, title: str, price: str = "0", publish: bool = True):
    from assessments.services import quiz_create
    from catalog import services

    course = services.course_create(instructor=instructor, title=title, domain=domain, price=Decimal(price))
    module = services.module_create(course=course, title=f"{title}: basics", pass_mark=50)
    lesson = services.lesson_create(module=module, title=f"{title}: lesson 1", video_url="https://v.example.com/1")
    services.lesson_create(module=module, title=f"{title}: lesson 2", video_url="https://v.example.com/2")
    quiz = quiz_create(module=module, question="2 + 2?", options=["4", "5"], correct_option=0)
    if publish:
        course = services.course_approve(course=services.course_submit(course=course), actor=admin)
    return course, module, lesson, quiz


def _payment(*, user, course, status: str, **extra):
    from billing.models import Payment

    fields = {"amount": int(course.price * 100), "currency": "INR", "status": status}
    fields.update(receipt=f"rcpt_{uuid.uuid4().hex[:12]}", razorpay_order_id=f"order_{uuid.uuid4().hex[:14]}")
    if status != "created":
        fields.update(payment_id=f"pay_{uuid.uuid4().hex[:14]}", paid_at=timezone.now())
    fields.update(extra)
    return Payment.objects.create(user=user, course=course, **fields)


@pytest.fixture
def world(db, make_user, settings) -> World:
    from assessments.services import quiz_attempt_submit
    from catalog import services as catalog
    from catalog.models import Domain, Enrollment
    from certificates.services import certificate_issue, certificate_revoke
    from forum.services import flag_create, post_create, reply_create

    settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET = RZP_KEY_ID, RZP_KEY_SECRET
    settings.RAZORPAY_WEBHOOK_SECRET = RZP_WEBHOOK_SECRET
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
    open_order = _payment(user=student, course=paid_course, status="created")
    paid = _payment(user=other_student, course=paid_course, status="paid")
    catalog.enrollment_grant(user=other_student, course=paid_course, source=Enrollment.Source.PAYMENT)

    attempt = quiz_attempt_submit(user=student, module=module, answers=[{"quiz": quiz.pk, "selected_option": 1}])
    post = post_create(user=student, course=course, title="How do decorators work?", body="I am lost with @.")
    reply = reply_create(user=instructor, post=post, body="A decorator wraps a function.")
    other_post = post_create(user=other_student, course=other_course, title="Borrow checker?", body="Why?")
    # The instructor's note in their draft course's forum: it exists only for the course's staff.
    draft_post = post_create(user=instructor, course=draft, title="Release plan", body="Publish in May.")
    flag = flag_create(user=instructor, post=post, reason="Off topic")

    certificate, _ = certificate_issue(user=student, course=course)
    certificate.file.save(f"{certificate.certificate_number}.pdf", ContentFile(b"%PDF-1.4\n% matrix\n"), save=True)
    revoked, _ = certificate_issue(user=other_student, course=other_course)
    revoked = certificate_revoke(certificate=revoked, actor=admin, reason="Issued by mistake")

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
            "post": post,
            "reply": reply,
            "other_post": other_post,
            "flag": flag,
            "certificate": certificate,
            "revoked": revoked,
        },
    )


def checkout_signature(order_id: str, payment_id: str) -> str:
    return hmac.new(RZP_KEY_SECRET.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def fake_razorpay(world):
    """Razorpay at the HTTP boundary: new orders are created, the student's open order is paid; refunds are
    processed."""
    order = world.open_order

    def payment(request):
        body = {
            "id": RZP_PAYMENT_ID,
            "entity": "payment",
            "amount": order.amount,
            "currency": "INR",
            "status": "captured",
            "order_id": order.razorpay_order_id,
        }
        return 200, {}, json.dumps(body)

    def refund(request):
        payment_id = request.url.rstrip("/").split("/")[-2]
        body = json.loads(request.body or "{}")
        refund = {"id": f"rfnd_{uuid.uuid4().hex[:14]}", "entity": "refund", "payment_id": payment_id}
        refund.update(amount=body.get("amount"), currency="INR", status="pending")
        return 200, {}, json.dumps(refund)

    def new_order(request):
        body = json.loads(request.body or "{}")
        order = {"id": f"order_{uuid.uuid4().hex[:14]}", "entity": "order", "status": "created"}
        order.update(amount=body.get("amount"), currency=body.get("currency", "INR"), receipt=body.get("receipt"))
        return 200, {}, json.dumps(order)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, "https://api.razorpay.com/v1/orders", new_order)
        mock.add_callback(responses.GET, re.compile(r"https://api\.razorpay\.com/v1/payments/pay_\w+$"), payment)
        mock.add_callback(responses.POST, re.compile(r"https://api\.razorpay\.com/v1/payments/pay_\w+/refund$"), refund)
        yield mock
