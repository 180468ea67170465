"""Machine-readable error codes of the catalog (the ``code`` of an error body)."""

from common.errors import ErrorCode


class CatalogErrorCode(ErrorCode):
    COURSE_NOT_PUBLISHED = (
        "course_not_published",
        "409: the course is not open for enrollment (not published, or archived)",
    )
    # Enrollment state, the same code wherever it is checked (catalog, billing, assessments).
    ALREADY_ENROLLED = "already_enrolled", "409: the learner already has an active enrollment"
    NOT_ENROLLED = "not_enrolled", "403: the action needs an active enrollment in the course"
    # Course staff only (catalog.permissions.course_staff_require), the same code in every app.
    NOT_COURSE_STAFF = "not_course_staff", "403: only the course's instructor or an admin may do this"
    COURSE_STATUS_CONFLICT = "course_status_conflict", "409: not allowed in the course's current status"
    COURSE_HAS_LEARNERS = "course_has_learners", "409: a course with learners is archived, not deleted"
    CONTENT_IN_USE = "content_in_use", "409: other records still refer to this content"
    COURSE_INCOMPLETE = (
        "course_incomplete",
        "409: the course misses what publishing requires (modules, lessons, quizzes)",
    )
    PRICE_BELOW_MINIMUM = (
        "price_below_minimum",
        "400 field error on `price`: below Razorpay's minimum for a paid course",
    )
    SLUG_CONFLICT = "slug_conflict", "409: no free address (slug) could be found for the course title"
    POSITION_BEYOND_DURATION = (
        "position_beyond_duration",
        "400 field error on `position_seconds`: past the lesson's end",
    )
