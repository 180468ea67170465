"""The audit log: one row per staff action, whichever door (REST API or Django admin) it came through.

A leaf of the dependency graph (like NetBox's change log in ``core``): every app writes to it through
``audit.services.audit_record`` and it imports no other app. The table keeps its original name
(``moderation_auditlog``) from when the log lived in the staff app, so no data moved.
"""

from django.conf import settings
from django.db import models

from common.models import UUIDModel


class AuditLog(UUIDModel):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    # Dotted verb, e.g. "course.approve", "user.suspend", "payment.refund", "flag.hide".
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, help_text="app_label.model of the target")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "moderation_auditlog"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at"], name="moderation_audit_created"),
            models.Index(fields=["action", "-created_at"], name="moderation_audit_action"),
            models.Index(fields=["target_type", "target_id"], name="moderation_audit_target"),
            models.Index(fields=["actor", "-created_at"], name="moderation_audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_repr}"
