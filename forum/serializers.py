"""Shapes of the forum API. Text goes in and out as plain text; deleted items show "[deleted]"."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forum.models import (
    BODY_MAX_LENGTH,
    DELETED_PLACEHOLDER,
    FLAG_REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    Flag,
    Post,
    Reply,
)
from forum.selectors import POST_ORDERINGS
from forum.services import FlagAction


class AuthorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


# --- Posts ---------------------------------------------------------------------------------------


class PostListParamsSerializer(serializers.Serializer):
    course = serializers.UUIDField(help_text="The course whose forum to list (required).")
    module = serializers.UUIDField(required=False, help_text="Only questions about this module.")
    ordering = serializers.ChoiceField(
        choices=list(POST_ORDERINGS), default="newest", help_text="newest (default), votes or unanswered."
    )
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Words to find in titles and bodies."
    )


class PostSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(source="user", read_only=True, allow_null=True)
    my_vote = serializers.IntegerField(read_only=True, help_text="1, -1 or 0: the caller's vote.")
    is_answered = serializers.BooleanField(read_only=True)
    is_deleted = serializers.BooleanField(read_only=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "course",
            "module",
            "author",
            "title",
            "body",
            "votes",
            "reply_count",
            "my_vote",
            "is_answered",
            "accepted_reply",
            "is_hidden",
            "is_deleted",
            "created_at",
            "edited_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Post):
        data = super().to_representation(instance)
        if instance.deleted_at is not None:
            data.update(title=DELETED_PLACEHOLDER, body=DELETED_PLACEHOLDER, author=None)
        return data


class PostCreateSerializer(serializers.Serializer):
    course = serializers.UUIDField()
    module = serializers.UUIDField(required=False, allow_null=True)
    title = serializers.CharField(min_length=TITLE_MIN_LENGTH, max_length=TITLE_MAX_LENGTH)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH)


class PostUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(min_length=TITLE_MIN_LENGTH, max_length=TITLE_MAX_LENGTH, required=False)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": ["Send a title, a body or both."]})
        return attrs


class VoteSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=[1, -1, 0], help_text="1 up, -1 down, 0 withdraws the vote.")


class VoteResultSerializer(serializers.Serializer):
    post = serializers.UUIDField()
    votes = serializers.IntegerField(help_text="The post's score: the sum of its votes.")
    my_vote = serializers.IntegerField()


# --- Replies -------------------------------------------------------------------------------------


class ReplySerializer(serializers.ModelSerializer):
    author = AuthorSerializer(source="user", read_only=True, allow_null=True)
    is_accepted = serializers.SerializerMethodField()
    is_deleted = serializers.BooleanField(read_only=True)

    class Meta:
        model = Reply
        fields = ["id", "post", "author", "body", "is_accepted", "is_hidden", "is_deleted", "created_at", "edited_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_accepted(self, reply: Reply) -> bool:
        # Views pass the post's accepted reply in the context, so a page of replies needs no query per row.
        accepted_id = self.context.get("accepted_reply_id", getattr(reply.post, "accepted_reply_id", None))
        return accepted_id is not None and accepted_id == reply.pk

    def to_representation(self, instance: Reply):
        data = super().to_representation(instance)
        if instance.deleted_at is not None:
            data.update(body=DELETED_PLACEHOLDER, author=None)
        return data


class ReplyWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=REPLY_MAX_LENGTH)


# --- Flags ---------------------------------------------------------------------------------------


class FlagCreateSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=3, max_length=FLAG_REASON_MAX_LENGTH)


class FlagSerializer(serializers.ModelSerializer):
    item_type = serializers.ChoiceField(choices=Flag.ItemType.choices, read_only=True)

    class Meta:
        model = Flag
        fields = ["id", "item_type", "post", "reply", "review", "reason", "status", "created_at"]
        read_only_fields = fields


class FlagListParamsSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Flag.Status.choices, required=False, help_text="Omit for every flag.")


class FlaggedPostSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()


class FlaggedCourseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()


class FlaggedReviewSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    rating = serializers.IntegerField(help_text="The review's stars (1–5).")


class AdminFlagSerializer(serializers.ModelSerializer):
    """A queue entry: the report, and enough of the flagged item to decide without another request."""

    item_type = serializers.ChoiceField(choices=Flag.ItemType.choices, read_only=True)
    reporter = AuthorSerializer(read_only=True)
    resolved_by = AuthorSerializer(read_only=True, allow_null=True)
    post = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()
    course = serializers.SerializerMethodField()
    item_author = serializers.SerializerMethodField()
    item_text = serializers.SerializerMethodField()
    item_is_hidden = serializers.SerializerMethodField()
    item_is_deleted = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = [
            "id",
            "item_type",
            "post",
            "reply",
            "review",
            "course",
            "item_author",
            "item_text",
            "item_is_hidden",
            "item_is_deleted",
            "reporter",
            "reason",
            "status",
            "created_at",
            "resolved_by",
            "resolved_at",
        ]
        read_only_fields = fields

    @staticmethod
    def _post(flag: Flag) -> Post | None:
        if flag.review_id:
            return None
        return flag.post if flag.post_id else flag.reply.post

    @extend_schema_field(FlaggedPostSerializer(allow_null=True, help_text="The thread (null for a review)."))
    def get_post(self, flag: Flag) -> dict | None:
        post = self._post(flag)
        return None if post is None else {"id": str(post.pk), "title": post.title}

    @extend_schema_field(FlaggedReviewSerializer(allow_null=True, help_text="The flagged review (null otherwise)."))
    def get_review(self, flag: Flag) -> dict | None:
        review = flag.review
        return None if review is None else {"id": str(review.pk), "rating": review.rating}

    @extend_schema_field(FlaggedCourseSerializer)
    def get_course(self, flag: Flag) -> dict:
        course = flag.review.course if flag.review_id else self._post(flag).course
        return {"id": str(course.pk), "title": course.title}

    @extend_schema_field(AuthorSerializer)
    def get_item_author(self, flag: Flag) -> dict:
        return AuthorSerializer(flag.item.user).data

    @extend_schema_field(
        serializers.CharField(help_text="The flagged text (title and body for a post; a review's text, maybe empty).")
    )
    def get_item_text(self, flag: Flag) -> str:
        item = flag.item
        return f"{item.title}\n\n{item.body}" if isinstance(item, Post) else item.body

    @extend_schema_field(serializers.BooleanField())
    def get_item_is_hidden(self, flag: Flag) -> bool:
        return flag.item.is_hidden

    @extend_schema_field(serializers.BooleanField(help_text="Soft-deleted (posts and replies; a review never is)."))
    def get_item_is_deleted(self, flag: Flag) -> bool:
        return getattr(flag.item, "is_deleted", False)


class FlagResolveSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(FlagAction.CHOICES))
