"""WSGI entry point (gunicorn config.wsgi)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application() does

from common.handlers import RouteOnceWSGIHandler  # noqa: E402 - after Django is set up

application = RouteOnceWSGIHandler()
