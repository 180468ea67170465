"""Staff views of gamification. The ledger and roll-ups are read-only: XP only ever changes
through ``gamification.services.xp_award``, and roll-ups through ``manage.py rebuild_leaderboards``."""

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from gamification.models import Badge, UserBadge, XPEvent, XPTotal


@admin.register(XPEvent)
class XPEventAdmin(ReadOnlyAdmin):
    list_display = ["timestamp", "user", "type", "points", "source_type", "source_id"]
    list_filter = ["type", "timestamp"]
    search_fields = ["user__email", "user__full_name", "=source_id"]
    list_select_related = ["user"]
    date_hierarchy = "timestamp"
    show_full_result_count = False  # the ledger is large; COUNT(*) on every page is not worth it


@admin.register(XPTotal)
class XPTotalAdmin(ReadOnlyAdmin):
    list_display = ["user", "period", "period_start", "points", "updated_at"]
    list_filter = ["period", "period_start"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    ordering = ["period", "-period_start", "-points"]


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "name", "rule_type", "event_type", "threshold", "icon"]
    list_display_links = ["code"]
    list_editable = ["position"]
    list_filter = ["rule_type", "event_type"]
    search_fields = ["code", "name"]

    # Badges are configuration read by xp_award: edited here freely, but never deleted, because deleting
    # one would silently take it away from everyone who earned it (UserBadge cascades).
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UserBadge)
class UserBadgeAdmin(ReadOnlyAdmin):
    list_display = ["awarded_at", "user", "badge"]
    list_filter = ["badge"]
    search_fields = ["user__email", "user__full_name", "badge__code"]
    list_select_related = ["user", "badge"]
    date_hierarchy = "awarded_at"
