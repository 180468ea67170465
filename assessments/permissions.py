"""Who may read and write a course's quizzes (object checks on the module's course)."""

from assessments import errors
from catalog.models import Course
from catalog.selectors import has_content_access, is_course_staff
from common.exceptions import ForbiddenError


def course_staff_require(*, user, course: Course) -> None:
    if not is_course_staff(user=user, course=course):
        raise ForbiddenError("Only the course's instructor or an admin can do this.", code=errors.NOT_COURSE_STAFF)


def quiz_reader_is_staff(*, user, course: Course) -> bool:
    """True for course staff, False for an active learner; anyone else is refused (403)."""
    if is_course_staff(user=user, course=course):
        return True
    if not has_content_access(user=user, course=course):
        raise ForbiddenError("Enroll in this course to see its quizzes.", code=errors.NOT_ENROLLED)
    return False
