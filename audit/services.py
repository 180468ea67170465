"""Writes to the audit log. Every staff service calls ``audit_record`` inside its own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from audit.models import AuditLog


def audit_record(*, actor, action: str, target: models.Model, details: dict[str, Any] | None = None) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        details=details or {},
    )
