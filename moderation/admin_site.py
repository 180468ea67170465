"""The Django admin site of the platform: only active, unsuspended users with role ``admin`` enter.

``moderation.admin_config.StaffAdminConfig`` makes this the default site, so ``admin.site`` in every
app's ``admin.py`` is an instance of :class:`StaffAdminSite`. The index page carries the dashboard
(``moderation.selectors.platform_stats``) and the site offers "Export selected rows as CSV" on every
model.
"""

from __future__ import annotations

import itertools

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.utils import timezone

from moderation.csv_export import csv_lines

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
            raise ValidationError("This account is suspended.", code="account_suspended")


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
        csv_lines(itertools.chain([columns], rows)), content_type="text/csv; charset=utf-8"
    )
    filename = f"{modeladmin.model._meta.model_name}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class StaffAdminSite(admin.AdminSite):
    site_header = "Desired Career Academy"
    site_title = "Desired Career Academy staff"
    index_title = "Staff dashboard"
    login_form = StaffAdminLoginForm

    def __init__(self, name: str = "admin"):
        super().__init__(name)
        self.add_action(export_selected_as_csv, "export_selected_as_csv")
        # The stock bulk delete runs QuerySet.delete(), around every service and the audit log. A ModelAdmin
        # whose delete_queryset goes through its services lists "delete_selected" in its own actions.
        self.disable_action("delete_selected")

    def has_permission(self, request) -> bool:
        return is_platform_admin(request.user)

    def index(self, request, extra_context=None):
        # Imported here: the site is built while apps load, before models may be imported.
        from moderation.charts import dashboard_charts
        from moderation.selectors import audit_log_list, needs_attention, platform_stats

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
