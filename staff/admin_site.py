"""The Django admin site of the platform: only active, unsuspended users with role ``admin`` enter.

``staff.admin_config.StaffAdminConfig`` makes this the default site, so ``admin.site`` in every
app's ``admin.py`` is an instance of :class:`StaffAdminSite`. The index page carries the dashboard
(``staff.selectors.platform_stats``) and the site offers "Export selected rows as CSV" on every
model. Sign-in asks admins with an authenticator app for the second factor, and with
``STAFF_MFA_REQUIRED`` on an admin without one is held on the set-up page (``staff.admin_mfa``).
"""

from __future__ import annotations

import functools
import itertools

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from common.csv_export import csv_lines
from common.db_router import replica_reads_iter
from common.errors import CommonErrorCode
from common.timeutils import local_today
from staff import admin_mfa

# Admin pages an admin who still has to enrol TOTP may open (STAFF_MFA_REQUIRED).
MFA_ENROLMENT_VIEWS = frozenset({"mfa_setup", "logout", "jsi18n"})

# Columns never written to an export, whatever the model: credentials, sessions, gateway secrets.
SECRET_FIELD_MARKERS = ("password", "secret", "token", "signature", "session_key")


def is_platform_admin(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_admin
        and not getattr(user, "is_suspended", False)
    )


class StaffAdminLoginForm(AdminAuthenticationForm):
    """The stock form refuses non-staff (is_staff follows role admin); a suspended admin keeps is_staff."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if getattr(user, "is_suspended", False):
            raise ValidationError("This account is suspended.", code=CommonErrorCode.ACCOUNT_SUSPENDED)


def export_fields(model, exclude: tuple[str, ...] = ()) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in exclude and not any(marker in field.name for marker in SECRET_FIELD_MARKERS)
    ]


@admin.action(description="Export selected rows as CSV", permissions=["view"])
def export_selected_as_csv(modeladmin, request, queryset):
    """Stream the selected rows, every concrete column (foreign keys as ids), formula cells neutralised."""
    fields = export_fields(modeladmin.model, tuple(getattr(modeladmin, "csv_export_exclude", ())))
    columns = [field.attname for field in fields]
    rows = queryset.values_list(*columns).iterator(chunk_size=settings.REPORT_CHUNK_SIZE)
    response = StreamingHttpResponse(
        replica_reads_iter(csv_lines(itertools.chain([columns], rows))), content_type="text/csv; charset=utf-8"
    )
    filename = f"{modeladmin.model._meta.model_name}-{local_today():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class StaffAdminSite(admin.AdminSite):
    index_title = "Staff dashboard"
    login_form = StaffAdminLoginForm

    def __init__(self, name: str = "admin"):
        super().__init__(name)
        self.add_action(export_selected_as_csv, "export_selected_as_csv")
        # The stock bulk delete runs QuerySet.delete(), around every service and the audit log. A ModelAdmin
        # whose delete_queryset goes through its services lists "delete_selected" in its own actions.
        self.disable_action("delete_selected")

    # Read per request, so the site follows ACADEMY_NAME (a class attribute would freeze it at import).
    @property
    def site_header(self) -> str:
        return settings.ACADEMY_NAME

    @property
    def site_title(self) -> str:
        return f"{settings.ACADEMY_NAME} staff"

    def has_permission(self, request) -> bool:
        return is_platform_admin(request.user)

    def get_urls(self):
        return [
            path("mfa/authenticate/", self.mfa_authenticate, name="mfa_authenticate"),
            path("mfa/setup/", self.admin_view(self.mfa_setup), name="mfa_setup"),
            *super().get_urls(),
        ]

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @functools.wraps(guarded)
        def inner(request, *args, **kwargs):
            match = request.resolver_match
            if (
                self.has_permission(request)
                and request.user.mfa_enrolment_required
                and (match is None or match.url_name not in MFA_ENROLMENT_VIEWS)
            ):
                setup = reverse("admin:mfa_setup", current_app=self.name)
                return HttpResponseRedirect(f"{setup}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")
            return guarded(request, *args, **kwargs)

        return inner

    @method_decorator(never_cache)
    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """Django's admin login, with the password step handing over to the second factor when enrolled."""
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": "Log in",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return admin_mfa.StaffLoginView.as_view(
            extra_context=context,
            authentication_form=self.login_form,
            template_name=self.login_template or "admin/login.html",
            admin_site=self,
        )(request)

    @method_decorator(never_cache)
    @method_decorator(login_not_required)
    def mfa_authenticate(self, request):
        return admin_mfa.mfa_authenticate(self, request)

    def mfa_setup(self, request):
        return admin_mfa.mfa_setup(self, request)

    def index(self, request, extra_context=None):
        # Imported here: the site is built while apps load, before models may be imported.
        from staff.charts import dashboard_charts
        from staff.selectors import audit_log_list, needs_attention, platform_stats

        stats = platform_stats()
        context = {
            "dashboard": stats,
            "attention": needs_attention(),
            "charts": dashboard_charts(stats),
            # Staff actions go through services (not ModelAdmin saves), so the audit log, not Django's
            # LogEntry, is what "recent actions" means here.
            "recent_audit_entries": audit_log_list()[:10],
            **(extra_context or {}),
        }
        return super().index(request, extra_context=context)
