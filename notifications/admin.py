"""Staff views of notifications: the inbox rows (read-only: only the delivery task writes them), preferences,
and announcements (removal goes through the service, so an admin's removal is audited)."""

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from notifications.models import Announcement, Notification, NotificationPreference
from notifications.services import announcement_delete


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "title", "in_app", "read_at", "email_wanted", "emailed_at"]
    list_filter = ["kind", "in_app", "email_wanted"]
    search_fields = ["user__email", "title", "=source_key"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "in_app", "email", "updated_at"]
    list_filter = ["kind", "in_app", "email"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "course", "title", "author"]
    search_fields = ["title", "course__title", "author__email"]
    list_select_related = ["course", "author"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def delete_model(self, request, obj) -> None:
        announcement_delete(actor=request.user, announcement=obj)

    def delete_queryset(self, request, queryset) -> None:
        for announcement in queryset.select_related("course"):
            announcement_delete(actor=request.user, announcement=announcement)
