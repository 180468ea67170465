"""Machine-readable error codes of reviews (the ``code`` of an error body)."""

REVIEW_NEEDS_PROGRESS = "review_needs_progress"
ALREADY_REVIEWED = "already_reviewed"
ALREADY_REPLIED = "already_replied"
REVIEW_OWN_HELPFUL = "review_own_helpful"
