"""The one world builder: users, courses and payments made through the project's own services.

The security suite's ``world`` fixture and the system tests' ``tests/system/world.py`` (run inside a
production-shaped process) both build from these, so a course in either is built the way an instructor and
an admin make one: created, given modules, lessons and quizzes, submitted and approved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from assessments.services import quiz_create
from billing.models import Payment
from catalog import services as catalog


@dataclass
class BuiltCourse:
    course: Any
    modules: list = field(default_factory=list)
    lessons: list = field(default_factory=list)  # every module's, in order
    quizzes: list = field(default_factory=list)  # every module's, in order; option 0 is right, option 1 wrong

    @property
    def module(self):
        return self.modules[0]

    @property
    def lesson(self):
        return self.lessons[0]

    @property
    def quiz(self):
        return self.quizzes[0]


def verified_user(email: str, *, role: str, full_name: str, password: str, **extra) -> User:
    """A user who signed up, verified their address and finished onboarding."""
    user = User.objects.create_user(
        email, password, role=role, full_name=full_name, onboarding_completed_at=timezone.now(), **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def course_build(
    *,
    instructor: User,
    admin: User,
    domain,
    title: str,
    price: str = "0",
    modules: int = 1,
    lessons: int = 2,
    quizzes: int = 1,
    publish: bool = True,
) -> BuiltCourse:
    """A course of ``modules`` modules with ``lessons`` lessons and ``quizzes`` quizzes each; approved by
    ``admin`` when ``publish``, a draft otherwise."""
    built = BuiltCourse(
        course=catalog.course_create(instructor=instructor, title=title, domain=domain, price=Decimal(price))
    )
    for m in range(1, modules + 1):
        module = catalog.module_create(course=built.course, title=f"{title}: module {m}", pass_mark=50)
        built.modules.append(module)
        for n in range(1, lessons + 1):
            video_url = f"https://video.example.com/{m}-{n}.mp4"
            built.lessons.append(
                catalog.lesson_create(module=module, title=f"{title}: lesson {m}.{n}", video_url=video_url)
            )
        for q in range(1, quizzes + 1):
            question = f"{title}: question {m}.{q}?"
            built.quizzes.append(
                quiz_create(module=module, question=question, options=["right", "wrong"], correct_option=0)
            )
    if publish:
        built.course = catalog.course_approve(course=catalog.course_submit(course=built.course), actor=admin)
    return built


def payment_make(*, user: User, course, status: str, **fields) -> Payment:
    """A payment row as the checkout leaves it: ``created`` is an open order, any other status was paid."""
    values = {
        "amount": int(course.price * 100),
        "currency": "INR",
        "receipt": f"rcpt_{uuid.uuid4().hex[:12]}",
        "razorpay_order_id": f"order_{uuid.uuid4().hex[:14]}",
    }
    if status != Payment.Status.CREATED:
        values.update(payment_id=f"pay_{uuid.uuid4().hex[:14]}", paid_at=timezone.now())
    values.update(fields)
    return Payment.objects.create(user=user, course=course, status=status, **values)
