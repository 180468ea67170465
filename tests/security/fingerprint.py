"""A fingerprint of every row of the project's own tables, to prove a refused request changed nothing."""

from __future__ import annotations

import hashlib

from django.apps import apps

from tests.support.apps import project_app_labels

PROJECT_APPS = project_app_labels()
# Touched by signing in, not by the request under test.
VOLATILE = {("accounts", "user"): {"last_login"}}


def database_fingerprint() -> str:
    digest = hashlib.sha256()
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            skip = VOLATILE.get((label, model._meta.model_name), set())
            fields = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
            for row in model.objects.order_by("pk").values_list(*fields):
                digest.update(repr((model._meta.label, row)).encode())
    return digest.hexdigest()
