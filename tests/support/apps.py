"""The project's own apps (installed apps that live in this repository), for tests that walk every app."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings


def project_app_labels() -> tuple[str, ...]:
    base = Path(settings.BASE_DIR).resolve()
    return tuple(
        sorted(config.label for config in apps.get_app_configs() if Path(config.path).resolve().parent == base)
    )
