"""Machine-readable error codes of assessments (the ``code`` of every error body this app returns)."""

INVALID = "invalid"  # field errors, the same code DRF's own validation errors carry
QUIZ_EMPTY = "quiz_empty"  # 400: the module has no quiz questions to answer
