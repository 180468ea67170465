"""``seed_demo`` refuses what it must: DEBUG off without --force, bad --users, scale data on SQLite."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seed_demo_refuses_with_debug_off(settings):
    # Given production settings
    settings.DEBUG = False

    # When seed_demo runs without --force, then it refuses and creates nothing
    with pytest.raises(CommandError, match="DEBUG is off"):
        _seed()
    assert not User.objects.exists()


def test_seed_demo_refuses_negative_users(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="positive"):
        _seed(users=-5)


def test_scale_data_refused_on_sqlite(settings, on_postgres):
    if on_postgres:
        pytest.skip("SQLite only")
    settings.DEBUG = True
    # When scale data is asked for on SQLite, then the command explains it needs PostgreSQL
    with pytest.raises(CommandError, match="PostgreSQL"):
        _seed(users=200)
    assert not User.objects.exists()
