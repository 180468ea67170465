"""The audit log in the Django admin: read-only for everyone, filterable by action, actor, target, date."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from audit.models import AuditLog
from common.admin import ReadOnlyAdmin


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    # The audit log is evidence: nobody adds, edits or deletes entries, not even through the admin.
    list_display = ["created_at", "action", "actor", "target_type", "target_repr", "target_id"]
    list_filter = [
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "target_type",
        "created_at",
    ]
    search_fields = ["action", "target_id", "target_repr", "actor__email", "actor__full_name"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    fields = ["created_at", "actor", "action", "target_type", "target_id", "target_repr", "details_pretty"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="details")
    def details_pretty(self, obj: AuditLog) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.details, indent=2, ensure_ascii=False, sort_keys=True))
