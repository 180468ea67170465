"""Machine-readable error codes of assessments (the ``code`` of every error body this app returns)."""

from common.errors import ErrorCode


class AssessmentsErrorCode(ErrorCode):
    INVALID = "invalid", "400: field errors, the same code DRF's own validation errors carry"
    QUIZ_EMPTY = "quiz_empty", "400: the module has no quiz questions to answer"
    QUIZ_REQUIRES_START = "quiz_requires_start", "409: the module's settings need start + submit, not one call"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted", "409: the module's max_attempts is used up"
    QUIZ_COOLDOWN = "quiz_cooldown", "429 with Retry-After: the cooldown since the last start has not passed"
    ATTEMPT_CLOSED = "attempt_closed", "409: the attempt was submitted or closed at its deadline"
