"""Django admin for certificates: browse, revoke/reinstate (same services as the API), re-render PDFs."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.template.response import TemplateResponse

from certificates.models import Certificate
from certificates.services import certificate_reinstate, certificate_render_queue, certificate_revoke
from common.admin import ReadOnlyAdmin
from common.exceptions import ApplicationError


class PdfFilter(admin.SimpleListFilter):
    title = "PDF"
    parameter_name = "pdf"

    def lookups(self, request, model_admin):
        return [("ready", "Ready"), ("missing", "Missing")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(file="")
        if self.value() == "ready":
            return queryset.exclude(file="")
        return queryset


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    # Every field is the services' to keep; the actions below are the only writes. A certificate is revoked,
    # never deleted: its number must stay taken and its code verifiable.
    list_display = ["certificate_number", "user", "course", "issue_date", "status", "file_ready"]
    list_filter = ["status", PdfFilter, "issue_date"]
    search_fields = [
        "certificate_number",
        "verification_code",
        "user__email",
        "user__full_name",
        "course__title",
    ]
    list_select_related = ["user", "course"]
    date_hierarchy = "issue_date"
    ordering = ["-issue_date", "-certificate_number"]
    # Certificates are issued by course completion and changed only through the actions below.
    readonly_fields = [
        "user",
        "course",
        "certificate_number",
        "verification_code",
        "issue_date",
        "file",
        "rendered_at",
        "status",
        "revoked_at",
        "revoke_reason",
        "created_at",
        "updated_at",
    ]
    actions = ["revoke_selected", "reinstate_selected", "rerender_selected"]

    @admin.display(boolean=True, description="PDF ready")
    def file_ready(self, certificate: Certificate) -> bool:
        return certificate.file_ready

    @admin.action(description="Revoke selected certificates")
    def revoke_selected(self, request, queryset: QuerySet[Certificate]):
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._apply(request, queryset, certificate_revoke, reason=form.cleaned_data["reason"], verb="revoked")
            return None
        return TemplateResponse(
            request,
            "certificates/admin/revoke_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": "Revoke certificates",
                "opts": self.model._meta,
                "certificates": queryset,
                "form": form,
                "action": "revoke_selected",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Reinstate selected certificates")
    def reinstate_selected(self, request, queryset: QuerySet[Certificate]):
        self._apply(
            request, queryset, certificate_reinstate, reason="Reinstated from the Django admin", verb="reinstated"
        )

    @admin.action(description="Re-render the PDF of selected certificates")
    def rerender_selected(self, request, queryset: QuerySet[Certificate]):
        for certificate in queryset:
            certificate_render_queue(certificate=certificate)
        self.message_user(request, f"{queryset.count()} certificate(s) queued for rendering.", messages.SUCCESS)

    def _apply(self, request, queryset, service, *, reason: str, verb: str) -> None:
        done = 0
        for certificate in queryset:
            try:
                service(certificate=certificate, actor=request.user, reason=reason)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{certificate}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} certificate(s) {verb}.", messages.SUCCESS)
