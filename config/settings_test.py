"""Test overrides: fast hashing, in-process Celery, isolated media. Everything else is config.settings."""

import tempfile

from config.settings import *  # noqa: F403
from config.settings import SILENCED_CHECKS_ALWAYS, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = tempfile.mkdtemp(prefix="dca-test-media-")
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = [*SILENCED_CHECKS_ALWAYS, "django_ratelimit.E003", "django_ratelimit.W001"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests that need the staff two-factor rule turn it on with the `settings` fixture.
STAFF_MFA_REQUIRED = False
# A second alias on the test database (Django's test mirror), so the router's tests can send reads to a
# "replica"; no read goes there unless a test puts it in DATABASE_REPLICAS.
DATABASES = {**DATABASES, "replica_test": {**DATABASES["default"], "TEST": {"MIRROR": "default"}}}  # noqa: F405
