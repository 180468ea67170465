"""Error codes are named once, in the owning app's errors.py: services, views and models never spell one."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from tests.support.apps import DOMAIN_APPS

APPS = DOMAIN_APPS
LITERAL_CODE = re.compile(r"""\bcode\s*=\s*["']""")


def test_no_service_view_or_model_spells_an_error_code():
    base = Path(settings.BASE_DIR)
    offenders = [
        f"{path.relative_to(base)}:{number}"
        for app in APPS
        for name in ("services.py", "views.py", "models.py", "selectors.py", "permissions.py", "admin_site.py")
        if (path := base / app / name).exists()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if LITERAL_CODE.search(line)
    ]
    assert offenders == []


def test_no_code_is_defined_in_two_apps():
    base = Path(settings.BASE_DIR)
    owners: dict[str, list[str]] = {}
    for app in APPS:
        path = base / app / "errors.py"
        if path.exists():
            for value in re.findall(r"""^[A-Z_]+\s*=\s*["']([a-z_]+)["']""", path.read_text(), flags=re.M):
                owners.setdefault(value, []).append(app)
    assert {code: apps for code, apps in owners.items() if len(apps) > 1} == {}
