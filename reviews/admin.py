"""Reviews in the Django admin: read-only, since the course's figures move with every change; removing a
review goes through ``review_delete`` (recounted and audited)."""

from __future__ import annotations

from django.contrib import admin, messages

from common.admin import ReadOnlyAdmin
from reviews.models import HelpfulVote, Review
from reviews.services import review_delete


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["course", "user", "rating", "is_counted", "helpful_count", "replied_at", "created_at"]
    list_filter = ["rating", "is_counted", "created_at"]
    search_fields = ["course__title", "user__email", "user__full_name", "body"]
    list_select_related = ["course", "user"]
    raw_id_fields = ["course", "user", "replied_by"]
    actions = ["delete_reviews"]

    @admin.action(description="Delete selected reviews (ratings recounted, audited)")
    def delete_reviews(self, request, queryset):
        for review in queryset:
            review_delete(review=review, actor=request.user)
        self.message_user(request, f"{queryset.count()} review(s) left.", messages.SUCCESS)


@admin.register(HelpfulVote)
class HelpfulVoteAdmin(ReadOnlyAdmin):
    list_display = ["review", "user", "created_at"]
    raw_id_fields = ["review", "user"]
