"""A small, realistic data set for processes under test, built through the project's own services.

``build()`` runs inside a Django process (see ``harness.run_python``) and prints the ids the drivers need; the
users and courses come from ``tests.support.world``.
"""

from __future__ import annotations

import json

from tests.support.world import course_build, verified_user
from tests.system.harness import PASSWORD


def _user(email: str, role: str, full_name: str, **extra):
    return verified_user(email, role=role, full_name=full_name, password=PASSWORD, **extra)


def _course(**kwargs):
    return course_build(**kwargs).course


def build(*, students: int = 2) -> dict:
    """Users of every role, a domain, a free and a paid published course, a draft, and some activity."""
    from catalog.models import Domain
    from catalog.services import course_create, enrollment_create
    from forum.services import post_create, reply_create

    domain = Domain.objects.create(name="Software Engineering", slug="software-engineering")
    admin = _user("admin@system.test", "admin", "Asha Admin", is_staff=True)
    instructor = _user("instructor@system.test", "instructor", "Ira Instructor")
    other_instructor = _user("instructor2@system.test", "instructor", "Omar Instructor")
    learners = [_user(f"student{n}@system.test", "student", f"Student {n}") for n in range(1, students + 1)]
    suspended = _user("suspended@system.test", "student", "Sam Suspended", is_suspended=True)

    free, paid, other = (
        _course(instructor=owner, admin=admin, domain=domain, title=title, price=price, **shape)
        for owner, title, price, shape in [
            (instructor, "Python Basics", "0", {"modules": 2, "lessons": 2, "quizzes": 2}),
            (instructor, "Django Pro", "499.00", {"modules": 1, "lessons": 2, "quizzes": 1}),
            (other_instructor, "Data Science", "0", {"modules": 1, "lessons": 1, "quizzes": 1}),
        ]
    )
    draft = course_create(instructor=instructor, title="Unfinished Draft", domain=domain)
    for learner in learners[:2]:
        enrollment_create(user=learner, course=free)
    post = post_create(user=learners[0], course=free, title="How do loops work?", body="Please explain for loops.")
    reply_create(user=learners[1], post=post, body="A for loop walks an iterable.")
    return {
        "domain": domain.slug,
        "admin": admin.email,
        "instructor": instructor.email,
        "other_instructor": other_instructor.email,
        "students": [learner.email for learner in learners],
        "suspended": suspended.email,
        "free_course": str(free.pk),
        "paid_course": str(paid.pk),
        "other_course": str(other.pk),
        "draft_course": str(draft.pk),
        "post": str(post.pk),
    }


def build_and_print(**kwargs) -> None:
    print(json.dumps(build(**kwargs)))
