"""Django admin for users: the same suspend / unsuspend / role / profile services as the REST API (audited).

Staff see one "Accounts" section: allauth's per-user models (email addresses, Google accounts, sessions)
are shown read-only on the user's page instead of in sections of their own; Django's groups (the
platform uses roles, not groups) and allauth's stored OAuth tokens are not offered at all. allauth's
*Social applications* stay (under "Social accounts"): a documented way to configure Google sign-in.

Also the two-factor authenticators (allauth.mfa): listed and deletable (to unlock an admin who lost both
the app and the recovery codes), never shown or exported with their secrets.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialToken
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse

from accounts import services
from accounts.models import User
from accounts.validators import display_name_clean
from common.admin import ReadOnlyInline
from common.exceptions import ApplicationError

# Registered by Django and allauth; edited there they would bypass allauth's flows (and expose secrets).
for _model in (Group, EmailAddress, SocialToken, SocialAccount, UserSession):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class EmailAddressInline(ReadOnlyInline):
    model = EmailAddress
    fields = readonly_fields = ["email", "verified", "primary"]
    verbose_name_plural = "email addresses (allauth)"


class SocialAccountInline(ReadOnlyInline):
    model = SocialAccount
    fields = readonly_fields = ["provider", "uid", "date_joined", "last_login"]
    verbose_name_plural = "Google sign-in"


class UserSessionInline(ReadOnlyInline):
    model = UserSession
    fields = readonly_fields = ["ip", "user_agent", "created_at", "last_seen_at"]
    ordering = ["-last_seen_at"]
    verbose_name_plural = "signed-in sessions"


class SuspendForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, max_length=1000)


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "domain", "branch", "year"]  # the editable ones; UserAdmin.fields lays out the rest

    def clean_full_name(self) -> str:
        # Blank stays allowed here (the column is blank=True; onboarding asks the user for a name).
        full_name = self.cleaned_data.get("full_name") or ""
        return display_name_clean(full_name) if full_name.strip() else ""


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
    form = UserChangeForm
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
    inlines = [EmailAddressInline, SocialAccountInline, UserSessionInline]
    actions = ["suspend_users", "unsuspend_users", "make_student", "make_instructor", "make_admin"]

    def has_add_permission(self, request) -> bool:
        return False  # accounts are created by signing up (allauth), or `createsuperuser`

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The course form's instructor picker offers only people who may own a course.
        if request.path.endswith("/autocomplete/") and request.GET.get("field_name") == "instructor":
            queryset = queryset.course_owners()
        return queryset, may_have_duplicates

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a user is suspended, never deleted: payments, certificates and the audit log point at them

    def save_model(self, request, obj, form, change):
        # Only the profile is editable here (role and suspension have their own audited actions).
        changes = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS if name in form.changed_data}
        services.user_profile_update(user=obj, **changes)

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
    # Removing a second factor unlocks an account: through the service (audited), never a stock delete.
    actions = ["delete_selected"]

    def delete_model(self, request, obj) -> None:
        services.user_mfa_reset(actor=request.user, user=obj.user)

    def delete_queryset(self, request, queryset) -> None:
        for user in User.objects.filter(pk__in=queryset.values("user_id")):
            services.user_mfa_reset(actor=request.user, user=user)

    def has_add_permission(self, request) -> bool:
        return False  # enrolment proves possession of the app: only the user enrols, with a code

    def has_change_permission(self, request, obj=None) -> bool:
        return False
