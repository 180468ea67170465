"""Course reviews: one rating (1–5) with an optional text per learner and course, the instructor's one
reply, and helpful votes (one per user and review).

A review counts in the course's figures (catalog's ``rating_*`` columns) while the reviewer's enrollment is
active (``is_counted``) and no moderator has hidden it (``is_hidden``, after flags: see ``forum.Flag``); a
refunded or revoked learner's review stops counting and leaves the listing, a hidden one leaves both for
everyone but its author and admins.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from common.models import TimeStampedModel, UUIDModel

BODY_MAX_LENGTH = 5_000
REPLY_MAX_LENGTH = 5_000


class Review(TimeStampedModel):
    course = models.ForeignKey("catalog.Course", on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
    # False while the reviewer's enrollment is revoked: not in the course's figures, not listed.
    is_counted = models.BooleanField(default=True)
    # Hidden by moderation (enough flags, or a moderator): out of the figures and listed only to its author
    # and admins. Changed only through reviews.services.review_hidden_set.
    is_hidden = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    # Helpful votes, kept by reviews.services with F() updates next to the unique vote rows.
    helpful_count = models.PositiveIntegerField(default=0)
    edited_at = models.DateTimeField(null=True, blank=True)
    reply_body = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="reviews_review_course_user_unique"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="reviews_review_rating_1_to_5"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX_LENGTH), name="reviews_review_body_max_length"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("reply_body"), REPLY_MAX_LENGTH),
                name="reviews_review_reply_max_length",
            ),
            models.CheckConstraint(
                condition=Q(is_hidden=False) | Q(hidden_at__isnull=False), name="reviews_review_hidden_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["course", "is_counted", "-created_at"], name="reviews_course_new"),
            models.Index(fields=["course", "is_counted", "-helpful_count"], name="reviews_course_helpful"),
            models.Index(fields=["course", "is_counted", "rating"], name="reviews_course_rating"),
            models.Index(fields=["user", "-created_at"], name="reviews_user"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ on {self.course_id} by {self.user_id}"

    @property
    def in_figures(self) -> bool:
        """Whether the stars are in the course's rating figures (the one rule; ``IN_FIGURES`` is its query)."""
        return self.is_counted and not self.is_hidden


# The reviews whose stars make up a course's figures (``Review.in_figures`` as a filter).
IN_FIGURES = Q(is_counted=True, is_hidden=False)


class HelpfulVote(UUIDModel):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_helpful_votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="reviews_helpfulvote_review_user_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} found {self.review_id} helpful"
