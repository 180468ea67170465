"""WSGI entry point (gunicorn config.wsgi).

Under gunicorn the app is loaded once in the master (``preload_app``) and every worker, including each one that
replaces a recycled worker (``max_requests``), is forked from it. What Django would otherwise load on a worker's
first request is loaded here, so a new worker inherits it instead of paying for it while serving: the URLconf
with every view, serializer and the API's DRF settings it imports (~0.2 s of CPU per worker, during which its other
threads wait on the import lock). Nothing here opens a connection (``pre_fork`` closes any that something opened).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application() does

from django.urls import get_resolver  # noqa: E402 - after Django is set up

from common.handlers import RouteOnceWSGIHandler  # noqa: E402 - after Django is set up

application = RouteOnceWSGIHandler()
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view it routes to
