"""gunicorn loads the app once in the master and forks workers that share none of its connections."""

from __future__ import annotations

import gc
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection

GUNICORN_CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


def test_the_app_is_preloaded_so_a_recycled_worker_does_not_re_import_it():
    config = runpy.run_path(str(GUNICORN_CONF))
    assert config["preload_app"] is True
    assert config["max_requests"] > 0


# SQLite's in-memory test database ignores close(); production runs PostgreSQL.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pre_fork_closes_the_masters_database_connection():
    # Given a master that opened a database connection while loading the app
    connection.ensure_connection()
    assert connection.connection is not None

    # When gunicorn is about to fork a worker
    runpy.run_path(str(GUNICORN_CONF))["pre_fork"](SimpleNamespace(), SimpleNamespace())

    # Then the connection is closed, so the worker opens its own instead of sharing the master's socket
    assert connection.connection is None


def test_pre_fork_freezes_what_the_master_holds_so_workers_never_collect_or_copy_it():
    class Held:
        pass

    held = Held()  # an object the master holds when it forks (instances are tracked by the collector)

    def collectable() -> bool:
        return any(obj is held for generation in range(3) for obj in gc.get_objects(generation))

    before = gc.get_freeze_count()
    assert collectable()
    try:
        # When gunicorn is about to fork a worker
        runpy.run_path(str(GUNICORN_CONF))["pre_fork"](SimpleNamespace(), SimpleNamespace())
        # Then what the master holds is in the permanent generation, which no collection walks
        assert gc.get_freeze_count() > before
        assert not collectable()
    finally:
        gc.unfreeze()


def test_the_served_app_loads_the_urlconf_before_the_workers_are_forked():
    # A fresh interpreter importing what gunicorn imports in the master: the URLconf and the views are loaded, so a
    # worker forked from it (a recycled one too) does not import them on its first request
    code = "import sys, config.wsgi; print('config.urls' in sys.modules, 'catalog.views' in sys.modules)"
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=settings.BASE_DIR, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
