"""Who is a course's staff and who may see a course: the one rule every app uses.

*Course staff* means the course's owner **while they are still an instructor**, or an admin. An
instructor demoted to student keeps ownership of their courses (their learners keep learning) but loses
every staff power over them at once: editing, quiz answers and statistics, unpublished content.

*Visible*: a published course to everyone; any status to its staff and to its active learners (a course
they joined stays theirs when it is archived, or unarchived back to a draft). Everything hanging off a
course (modules, lessons, quizzes, forum posts) is visible exactly when the course is. An object the
caller may not see answers 404; 403 is kept for an object they may see but not act on
(``course_staff_require``).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from catalog.errors import CatalogErrorCode
from catalog.models import Course, Enrollment
from common.exceptions import ForbiddenError, NotFoundError


def is_course_staff(*, user, course: Course) -> bool:
    """The course's owner while an instructor, or an admin."""
    if not user.is_authenticated:
        return False
    return user.is_admin or (user.is_instructor and course.instructor_id == user.pk)


def course_staff_q(user, prefix: str = "") -> Q:
    """``is_course_staff`` as a filter on courses (``prefix`` is the path to the course, e.g. ``module__course__``).

    Matches nothing for anonymous users, students (demoted instructors included) and other instructors'
    courses; everything for admins.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_admin:
        # Not Q(): an empty Q vanishes when OR-ed with another condition, which would drop admins.
        return Q(**{f"{prefix}pk__isnull": False})
    if user.is_instructor:
        return Q(**{f"{prefix}instructor_id": user.pk})
    return Q(pk__in=[])


def course_visibility_q(user, prefix: str = "") -> Q:
    """Filter on courses (through ``prefix``) that ``user`` may see: the same rule as ``course_is_visible``."""
    published = Q(**{f"{prefix}status": Course.Status.PUBLISHED})
    if not user.is_authenticated:
        return published
    if user.is_admin:
        return Q()
    course_pk = f"{prefix}pk" if prefix else "pk"
    learner = Exists(
        Enrollment.objects.filter(user_id=user.pk, course_id=OuterRef(course_pk), status=Enrollment.Status.ACTIVE)
    )
    return published | course_staff_q(user, prefix) | learner


def course_is_visible(*, user, course: Course) -> bool:
    if course.status == Course.Status.PUBLISHED or is_course_staff(user=user, course=course):
        return True
    if not user.is_authenticated:
        return False
    return Enrollment.objects.filter(user_id=user.pk, course_id=course.pk, status=Enrollment.Status.ACTIVE).exists()


def course_visible_require(*, user, course: Course, not_found: str = "Not found.") -> None:
    """404 unless ``user`` may see ``course`` (or the object of it being asked about)."""
    if not course_is_visible(user=user, course=course):
        raise NotFoundError(not_found)


def course_staff_require(*, user, course: Course, not_found: str = "Not found.") -> None:
    """404 when ``user`` may not even see ``course``; 403 ``not_course_staff`` when they see it but are not staff."""
    if is_course_staff(user=user, course=course):
        return
    course_visible_require(user=user, course=course, not_found=not_found)
    raise ForbiddenError(
        "Only the course's instructor or an admin can do this.", code=CatalogErrorCode.NOT_COURSE_STAFF
    )
