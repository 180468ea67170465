"""Who may read a course's quizzes. Course staff and visibility are catalog's rule (catalog.permissions)."""

from catalog.errors import CatalogErrorCode
from catalog.models import Course
from catalog.permissions import course_visible_require, is_course_staff
from catalog.selectors import active_enrollment_get
from common.exceptions import ForbiddenError


def quiz_reader_is_staff(*, user, course: Course) -> bool:
    """True for course staff, False for an active learner; 404 if the course is invisible to ``user``,
    403 ``not_enrolled`` for anyone else who can see it."""
    if is_course_staff(user=user, course=course):
        return True
    course_visible_require(user=user, course=course)
    if active_enrollment_get(user=user, course_id=course.pk) is None:
        raise ForbiddenError("Enroll in this course to see its quizzes.", code=CatalogErrorCode.NOT_ENROLLED)
    return False
