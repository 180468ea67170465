"""The project's own domain apps, read from INSTALLED_APPS: suites that walk every app list them from here."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

# Apps of this repository (a folder beside manage.py), without the shared plumbing and the demo-data seed.
DOMAIN_APPS: tuple[str, ...] = tuple(
    name
    for name in settings.INSTALLED_APPS
    if "." not in name and (Path(settings.BASE_DIR) / name).is_dir() and name not in ("common", "seed")
)
