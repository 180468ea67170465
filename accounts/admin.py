"""Django admin for users: the same suspend / unsuspend / role services as the REST API (audited).

Also the two-factor authenticators (allauth.mfa): listed and deletable (to unlock an admin who lost both
the app and the recovery codes), never shown or exported with their secrets.
"""

from __future__ import annotations

from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from accounts import services
from accounts.models import User
from common.exceptions import ApplicationError


class SuspendForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, max_length=1000)


def _apply(modeladmin, request, queryset, action, **kwargs) -> None:
    done = 0
    for user in queryset:
        try:
            action(actor=request.user, user=user, **kwargs)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{user.email}: {exc.message}", messages.WARNING)
    if done:
        modeladmin.message_user(request, f"{done} user(s) updated.", messages.SUCCESS)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "role", "domain", "is_suspended", "onboarding_completed_at", "created_at"]
    list_filter = ["role", "is_suspended", "domain", ("onboarding_completed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "full_name"]
    list_select_related = ["domain"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    fields = [
        "email",
        "full_name",
        "role",
        "domain",
        "branch",
        "year",
        "is_suspended",
        "suspended_at",
        "suspension_reason",
        "onboarding_completed_at",
        "last_login",
        "created_at",
    ]
    # Role and suspension change only through the actions (services + audit log), never by editing.
    readonly_fields = [
        "email",
        "role",
        "is_suspended",
        "suspended_at",
        "suspension_reason",
        "onboarding_completed_at",
        "last_login",
        "created_at",
    ]
    actions = ["suspend_users", "unsuspend_users", "make_student", "make_instructor", "make_admin"]

    def has_add_permission(self, request) -> bool:
        return False  # accounts are created by signing up (allauth), or `createsuperuser`

    @admin.action(description="Suspend selected users")
    def suspend_users(self, request, queryset):
        form = SuspendForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            _apply(self, request, queryset, services.user_suspend, reason=form.cleaned_data["reason"])
            return None
        return TemplateResponse(
            request,
            "admin/accounts/user/suspend.html",
            {**self.admin_site.each_context(request), "form": form, "users": queryset, "title": "Suspend users"},
        )

    @admin.action(description="Unsuspend selected users")
    def unsuspend_users(self, request, queryset):
        _apply(self, request, queryset, services.user_unsuspend)

    @admin.action(description="Change role to student")
    def make_student(self, request, queryset):
        _apply(self, request, queryset, services.user_change_role, role=User.Role.STUDENT)

    @admin.action(description="Change role to instructor")
    def make_instructor(self, request, queryset):
        _apply(self, request, queryset, services.user_change_role, role=User.Role.INSTRUCTOR)

    @admin.action(description="Change role to admin")
    def make_admin(self, request, queryset):
        _apply(self, request, queryset, services.user_change_role, role=User.Role.ADMIN)


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(AllauthAuthenticatorAdmin):
    # ``data`` holds the TOTP secret and the recovery-code seed: never on a page, never in a CSV export.
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields
    csv_export_exclude = ("data",)
    search_fields = ["user__email"]

    def has_add_permission(self, request) -> bool:
        return False  # enrolment proves possession of the app: only the user enrols, with a code

    def has_change_permission(self, request, obj=None) -> bool:
        return False
