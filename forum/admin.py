"""Django admin for the forum. Flag decisions go through ``flag_resolve`` so they are audited like the API's."""

from __future__ import annotations

from django.contrib import admin, messages

from common.exceptions import ApplicationError
from forum.models import Flag, Post, Reply, Vote
from forum.services import FlagAction, flag_resolve


class ReplyInline(admin.TabularInline):
    model = Reply
    fk_name = "post"
    extra = 0
    fields = ["user", "body", "created_at", "edited_at", "deleted_at", "is_hidden"]
    readonly_fields = ["user", "body", "created_at", "edited_at", "deleted_at", "is_hidden"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "user", "votes", "reply_count", "is_hidden", "deleted_at", "created_at"]
    list_filter = ["is_hidden", ("deleted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["title", "body", "user__email", "user__full_name", "course__title"]
    list_select_related = ["course", "user"]
    raw_id_fields = ["course", "module", "user", "accepted_reply", "deleted_by"]
    # Counters and timestamps are kept by forum.services; editing them here would break the invariants.
    readonly_fields = ["votes", "reply_count", "edited_at", "deleted_at", "deleted_by", "hidden_at", "is_hidden"]
    date_hierarchy = "created_at"
    inlines = [ReplyInline]


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "post", "user", "is_hidden", "deleted_at", "created_at"]
    list_filter = ["is_hidden", ("deleted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["body", "user__email", "user__full_name", "post__title"]
    list_select_related = ["post", "user"]
    raw_id_fields = ["post", "user", "deleted_by"]
    readonly_fields = ["edited_at", "deleted_at", "deleted_by", "hidden_at", "is_hidden", "first_accepted_at"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["post", "user", "value", "created_at"]
    list_filter = ["value"]
    search_fields = ["post__title", "user__email"]
    list_select_related = ["post", "user"]
    raw_id_fields = ["post", "user"]

    # A vote changes the post's score; only forum.services.post_vote may write one.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reporter", "reason", "status", "created_at", "resolved_by", "resolved_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["reason", "reporter__email", "post__title", "reply__body"]
    list_select_related = ["reporter", "resolved_by"]
    raw_id_fields = ["reporter", "post", "reply", "resolved_by"]
    readonly_fields = ["reporter", "post", "reply", "reason", "status", "resolved_by", "resolved_at", "created_at"]
    actions = ["hide_items", "dismiss_flags"]

    def has_add_permission(self, request) -> bool:
        return False

    def _resolve(self, request, queryset, action: str) -> None:
        resolved = 0
        for flag in queryset.filter(status=Flag.Status.OPEN):
            try:
                flag_resolve(actor=request.user, flag=flag, action=action)
                resolved += 1
            except ApplicationError:
                # Resolving one flag resolves the others on the same item; those are skipped here.
                continue
        self.message_user(request, f"{resolved} item(s) decided ({action}).", messages.SUCCESS)

    @admin.action(description="Hide the flagged items")
    def hide_items(self, request, queryset) -> None:
        self._resolve(request, queryset, FlagAction.HIDE)

    @admin.action(description="Dismiss the flags (show the items again)")
    def dismiss_flags(self, request, queryset) -> None:
        self._resolve(request, queryset, FlagAction.DISMISS)
