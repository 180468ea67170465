"""The course forum: questions (posts), replies, one vote per user and post, and flags for moderation
(of forum writing and of course reviews: one queue).

Text is stored exactly as written and returned as plain text: nothing here is ever rendered as HTML.
Soft deletion keeps threads readable; hidden content (by a moderator, or automatically after enough
flags) is visible only to its author and admins.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from common.models import TimeStampedModel, UUIDModel
from reviews.models import Review

TITLE_MIN_LENGTH = 5
TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000
REPLY_MAX_LENGTH = 10_000
FLAG_REASON_MAX_LENGTH = 500
# What a soft-deleted post or reply shows in place of its text.
DELETED_PLACEHOLDER = "[deleted]"


class Post(TimeStampedModel):
    course = models.ForeignKey("catalog.Course", on_delete=models.CASCADE, related_name="forum_posts")
    # Must belong to ``course`` (checked by forum.services); a removed module leaves the post on the course.
    module = models.ForeignKey(
        "catalog.Module", null=True, blank=True, on_delete=models.SET_NULL, related_name="forum_posts"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_posts")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField()
    # Sum of Vote.value, kept by forum.services.post_vote under the post's row lock.
    votes = models.IntegerField(default=0)
    # Replies that are neither deleted nor hidden, kept by forum.services with F() updates.
    reply_count = models.PositiveIntegerField(default=0)
    accepted_reply = models.ForeignKey(
        "forum.Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_hidden = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX_LENGTH), name="forum_post_body_max_length"
            ),
            models.CheckConstraint(condition=GreaterThanOrEqual(Length("title"), 1), name="forum_post_title_not_empty"),
            models.CheckConstraint(
                condition=Q(is_hidden=False) | Q(hidden_at__isnull=False), name="forum_post_hidden_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["course", "-created_at"], name="forum_post_course_new"),
            models.Index(fields=["course", "-votes", "-created_at"], name="forum_post_course_votes"),
            models.Index(fields=["course", "module", "-created_at"], name="forum_post_course_module"),
            models.Index(fields=["user", "-created_at"], name="forum_post_user"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Reply(TimeStampedModel):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="replies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_replies")
    body = models.TextField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_hidden = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    # Set the first time the reply is accepted and never cleared: ``reply_accepted`` fires once per reply.
    first_accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "replies"
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), REPLY_MAX_LENGTH), name="forum_reply_body_max_length"
            ),
            models.CheckConstraint(
                condition=Q(is_hidden=False) | Q(hidden_at__isnull=False), name="forum_reply_hidden_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["post", "created_at"], name="forum_reply_post_created"),
            models.Index(fields=["user", "-created_at"], name="forum_reply_user"),
        ]

    def __str__(self) -> str:
        return f"Reply to {self.post_id}: {self.body[:60]}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Vote(UUIDModel):
    class Value(models.IntegerChoices):
        UP = 1, "Up"
        DOWN = -1, "Down"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="vote_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_votes")
    # A withdrawn vote (value 0 over the API) deletes the row, so every row counts.
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="forum_vote_post_user_unique"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="forum_vote_value_up_or_down"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} on {self.post_id}"


class Flag(TimeStampedModel):
    class ItemType(models.TextChoices):
        POST = "post", "Post"
        REPLY = "reply", "Reply"
        REVIEW = "review", "Course review"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        HIDDEN = "hidden", "Hidden by a moderator"
        DISMISSED = "dismissed", "Dismissed"

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_flags")
    # Exactly one of post / reply / review is set (a check constraint). Course reviews go through the same
    # queue and rules as forum writing (issue #19): the review's hidden state lives in reviews.
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=FLAG_REASON_MAX_LENGTH)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, reply__isnull=True, review__isnull=True)
                | Q(post__isnull=True, reply__isnull=False, review__isnull=True)
                | Q(post__isnull=True, reply__isnull=True, review__isnull=False),
                name="forum_flag_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "post"], condition=Q(post__isnull=False), name="forum_flag_reporter_post_unique"
            ),
            models.UniqueConstraint(
                fields=["reporter", "reply"],
                condition=Q(reply__isnull=False),
                name="forum_flag_reporter_reply_unique",
            ),
            models.UniqueConstraint(
                fields=["reporter", "review"],
                condition=Q(review__isnull=False),
                name="forum_flag_reporter_review_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="forum_flag_resolved_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="forum_flag_status_created"),
            models.Index(fields=["post", "status"], name="forum_flag_post_status"),
            models.Index(fields=["reply", "status"], name="forum_flag_reply_status"),
            models.Index(fields=["review", "status"], name="forum_flag_review_status"),
        ]

    def __str__(self) -> str:
        return f"Flag on {self.item_type} {self.item_id} ({self.status})"

    @property
    def item_type(self) -> str:
        if self.post_id:
            return self.ItemType.POST
        return self.ItemType.REPLY if self.reply_id else self.ItemType.REVIEW

    @property
    def item_id(self):
        return self.post_id or self.reply_id or self.review_id

    @property
    def item(self) -> Post | Reply | Review:
        return getattr(self, self.item_type)
