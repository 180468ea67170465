"""Reads of the catalog that other apps rely on (access checks, active enrollments)."""

from __future__ import annotations

from uuid import UUID

from catalog.models import Course, Enrollment


def active_enrollment_get(*, user, course_id: UUID) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course_id=course_id, status=Enrollment.Status.ACTIVE).first()


def is_course_staff(*, user, course: Course) -> bool:
    """The course's own instructor or an admin."""
    return user.is_authenticated and (user.role == "admin" or course.instructor_id == user.pk)


def has_content_access(*, user, course: Course) -> bool:
    """Who may see lesson content and quizzes: active learners, the course's instructor and admins."""
    if is_course_staff(user=user, course=course):
        return True
    return active_enrollment_get(user=user, course_id=course.pk) is not None
