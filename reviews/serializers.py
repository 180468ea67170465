"""Shapes of the reviews API. Input serializers validate fields only; rules live in reviews.services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.models import BODY_MAX_LENGTH, REPLY_MAX_LENGTH, Review
from reviews.selectors import REVIEW_ORDERINGS


class ReviewAuthorSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class ReviewReplySerializer(serializers.Serializer):
    body = serializers.CharField(source="reply_body", read_only=True)
    replied_at = serializers.DateTimeField(read_only=True)
    replied_by = ReviewAuthorSerializer(read_only=True, allow_null=True)


class ReviewSerializer(serializers.ModelSerializer):
    user = ReviewAuthorSerializer(read_only=True)
    viewer_found_helpful = serializers.BooleanField(read_only=True, default=False)
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "course",
            "user",
            "rating",
            "body",
            "helpful_count",
            "viewer_found_helpful",
            "is_hidden",
            "reply",
            "edited_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ReviewReplySerializer(allow_null=True))
    def get_reply(self, review: Review) -> dict | None:
        if review.replied_at is None:
            return None
        return ReviewReplySerializer(review).data


class ReviewCreateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, allow_blank=True, required=False, default="")


class ReviewUpdateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, allow_blank=True, required=False)


class ReviewListParamsSerializer(serializers.Serializer):
    ordering = serializers.ChoiceField(
        choices=list(REVIEW_ORDERINGS),
        default="newest",
        help_text="newest (default), helpful (most helpful votes), highest, lowest.",
    )


class ReviewReplyCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=REPLY_MAX_LENGTH)


class HelpfulSerializer(serializers.Serializer):
    helpful = serializers.BooleanField(default=True, help_text="false takes the vote back.")
