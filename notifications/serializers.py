"""Shapes of the notifications API."""

from __future__ import annotations

from rest_framework import serializers

from notifications.models import (
    ANNOUNCEMENT_BODY_MAX_LENGTH,
    ANNOUNCEMENT_TITLE_MAX_LENGTH,
    Announcement,
    Kind,
    Notification,
)


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationListParamsSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="true: only unread.")


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")
    unread = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class PreferencesSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True, allow_empty=False, max_length=len(Kind))


class UnsubscribeParamsSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500, help_text="The signed token of the e-mail's unsubscribe link.")


class UnsubscribeResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField()
    email = serializers.BooleanField(help_text="Whether e-mails of this kind are (still) sent.")


class AnnouncementAuthorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class AnnouncementSerializer(serializers.ModelSerializer):
    author = AnnouncementAuthorSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Announcement
        fields = ["id", "course", "author", "title", "body", "created_at"]
        read_only_fields = fields


class AnnouncementCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=ANNOUNCEMENT_TITLE_MAX_LENGTH)
    body = serializers.CharField(max_length=ANNOUNCEMENT_BODY_MAX_LENGTH)
