"""Machine-readable error codes of reviews (the ``code`` of an error body)."""

from common.errors import ErrorCode


class ReviewsErrorCode(ErrorCode):
    REVIEW_NEEDS_PROGRESS = "review_needs_progress", "403: reviewing needs an active enrollment and a completed lesson"
    ALREADY_REVIEWED = "already_reviewed", "409: one review per learner and course; edit it instead"
    ALREADY_REPLIED = "already_replied", "409: the instructor already replied to this review"
    REVIEW_OWN_HELPFUL = "review_own_helpful", "403: nobody marks their own review helpful"
