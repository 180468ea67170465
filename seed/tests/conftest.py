"""Seed fixtures: the demo platform loaded once per test module.

Loading the demo replays two months of learning through the real services (a few seconds). Tests that
only read it share one load: it happens inside a transaction opened for the module and rolled back at its
end, and each test runs in its own savepoint inside it (pytest-django's usual per-test transaction).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings


@pytest.fixture(scope="module")
def demo_loaded(request, clock, django_db_setup, django_db_blocker):
    # Loaded at the module's clock (tests there are `calendar`): each test starts there, never before the data.
    with clock(request.node), django_db_blocker.unblock(), override_settings(DEBUG=True):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def seeded(demo_loaded, db, settings):
    """The command's output; the data is in the database for this test (changes roll back after it)."""
    settings.DEBUG = True
    return demo_loaded
