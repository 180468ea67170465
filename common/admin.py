"""Admin building blocks every app's ``admin.py`` shares."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from common.exceptions import ApplicationError


class ServiceRefusalsAsMessages(admin.ModelAdmin):
    """A rule a service enforces (409 "the course has learners", 403 ...) refuses an admin delete or bulk
    action with the service's own message on the page it came from, not a server error."""

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path.rsplit("/delete/", 1)[0] + "/change/")

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record only services write (ledgers, payments, the audit log, history): listed and opened in the
    admin, never added, edited or deleted by hand. Actions that call a service stay available."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """``ReadOnlyAdmin`` for rows shown under their parent: no blank rows, no add, edit or delete."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
