"""Django admin for the forum. Posts, replies and votes are the learners' writing and change only through
``forum.services`` (read-only here; moderators delete softly with an audited action); flag decisions (on
posts, replies and course reviews) go through ``flag_resolve`` so they are audited like the API's, and flags
are never deleted around it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from common.admin import ReadOnlyAdmin, ReadOnlyInline
from common.exceptions import ApplicationError
from forum.models import Flag, Post, Reply, Vote
from forum.services import FlagAction, flag_resolve, post_delete, reply_delete
from reviews.models import Review

EXCERPT_CHARS = 120


def _delete_as_moderator(modeladmin, request, queryset, service, noun: str) -> None:
    done = 0
    for item in queryset.filter(deleted_at__isnull=True):
        try:
            service(user=request.user, **{noun: item})
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{item}: {exc.message}", messages.WARNING)
    modeladmin.message_user(request, f"{done} {noun}(s) deleted (soft, audited).", messages.SUCCESS)


class ReplyInline(ReadOnlyInline):
    model = Reply
    fk_name = "post"
    fields = ["user", "body", "created_at", "edited_at", "deleted_at", "is_hidden"]
    readonly_fields = ["user", "body", "created_at", "edited_at", "deleted_at", "is_hidden"]
    show_change_link = True


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["title", "course", "user", "votes", "reply_count", "is_hidden", "deleted_at", "created_at"]
    list_filter = ["is_hidden", ("deleted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["title", "body", "user__email", "user__full_name", "course__title"]
    list_select_related = ["course", "user"]
    date_hierarchy = "created_at"
    inlines = [ReplyInline]
    actions = ["delete_posts"]

    @admin.action(description="Delete selected posts as a moderator (soft, audited)")
    def delete_posts(self, request, queryset: QuerySet[Post]) -> None:
        _delete_as_moderator(self, request, queryset, post_delete, "post")


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ["excerpt", "post", "user", "is_hidden", "deleted_at", "created_at"]
    list_filter = ["is_hidden", ("deleted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["body", "user__email", "user__full_name", "post__title"]
    list_select_related = ["post", "user"]
    actions = ["delete_replies"]

    @admin.display(description="reply")
    def excerpt(self, reply: Reply) -> str:
        return Truncator(reply.body).chars(EXCERPT_CHARS)

    @admin.action(description="Delete selected replies as a moderator (soft, audited)")
    def delete_replies(self, request, queryset: QuerySet[Reply]) -> None:
        _delete_as_moderator(self, request, queryset, reply_delete, "reply")


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    # A vote changes the post's score; only forum.services.post_vote may write one.
    list_display = ["post", "user", "value", "created_at"]
    list_filter = ["value"]
    search_fields = ["post__title", "user__email"]
    list_select_related = ["post", "user"]


class FlaggedItemFilter(admin.SimpleListFilter):
    title = "flagged item"
    parameter_name = "item"

    def lookups(self, request, model_admin):
        return [("post", "Posts"), ("reply", "Replies"), ("review", "Course reviews")]

    def queryset(self, request, queryset):
        if self.value() in Flag.ItemType.values:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    """Flags are decided with the two actions (``flag_resolve``, audited), never edited or deleted."""

    list_display = ["flagged_text", "item_link", "reason", "reporter", "status", "created_at", "resolved_by"]
    list_filter = ["status", FlaggedItemFilter, "created_at"]
    search_fields = [
        "reason",
        "reporter__email",
        "reporter__full_name",
        "post__title",
        "post__body",
        "reply__body",
        "reply__post__title",
        "review__body",
        "review__course__title",
    ]
    list_select_related = ["reporter", "resolved_by", "post", "reply__post", "review__course"]
    fields = [
        "flagged_text",
        "item_link",
        "reporter",
        "reason",
        "status",
        "resolved_by",
        "resolved_at",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["hide_items", "dismiss_flags"]

    @admin.display(description="flagged text")
    def flagged_text(self, flag: Flag) -> str:
        item = flag.item
        if isinstance(item, Post):
            text = f"{item.title}: {item.body}"
        elif isinstance(item, Review):
            text = f"{item.rating}★ {item.body}"
        else:
            text = item.body
        return Truncator(text).chars(EXCERPT_CHARS)

    @admin.display(description="flagged item")
    def item_link(self, flag: Flag) -> str:
        item = flag.item
        if isinstance(item, Post):
            url, label = reverse("admin:forum_post_change", args=[item.pk]), f"Post “{item.title}”"
        elif isinstance(item, Review):
            url, label = reverse("admin:reviews_review_change", args=[item.pk]), f"Review of “{item.course.title}”"
        else:
            url, label = reverse("admin:forum_reply_change", args=[item.pk]), f"Reply on “{item.post.title}”"
        hidden = " (hidden)" if item.is_hidden else ""
        return format_html('<a href="{}">{}</a>{}', url, Truncator(label).chars(80), hidden)

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
