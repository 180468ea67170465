"""Machine-readable error codes of assessments (the ``code`` of every error body this app returns)."""

INVALID = "invalid"  # field errors, the same code DRF's own validation errors carry
QUIZ_EMPTY = "quiz_empty"
QUIZ_REQUIRES_START = "quiz_requires_start"  # the module's settings need start + submit, not one call
ATTEMPTS_EXHAUSTED = "attempts_exhausted"  # the module's max_attempts is used up
QUIZ_COOLDOWN = "quiz_cooldown"  # the module's cooldown since the last start has not passed
ATTEMPT_CLOSED = "attempt_closed"  # the attempt was submitted or closed at its deadline
