"""Machine-readable error codes of the catalog (the ``code`` of an error body)."""

COURSE_NOT_PUBLISHED = "course_not_published"
PAYMENT_REQUIRED = "payment_required"
# Enrollment state, the same code wherever it is checked (catalog, billing, assessments).
ALREADY_ENROLLED = "already_enrolled"
NOT_ENROLLED = "not_enrolled"
# Course staff only (catalog.permissions.course_staff_require), the same code in every app.
NOT_COURSE_STAFF = "not_course_staff"
COURSE_STATUS_CONFLICT = "course_status_conflict"
COURSE_HAS_LEARNERS = "course_has_learners"
CONTENT_IN_USE = "content_in_use"
COURSE_INCOMPLETE = "course_incomplete"
PRICE_BELOW_MINIMUM = "price_below_minimum"
SLUG_CONFLICT = "slug_conflict"
POSITION_BEYOND_DURATION = "position_beyond_duration"
