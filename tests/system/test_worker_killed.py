"""A worker killed in the middle of a task loses nothing: the message goes back to the queue (acks_late) and
the next worker runs the task."""

from __future__ import annotations

import os
import re
import signal
import time

import psycopg
import pytest
import requests

from tests.system import harness
from tests.system.test_celery_certificate import _complete_course

pytestmark = pytest.mark.system

VISIBILITY_TIMEOUT = 5
# Celery's line for a finished render (not the recovery sweep, certificate_render_recover, nor other tasks).
RENDER_SUCCEEDED = re.compile(r"certificates\.tasks\.certificate_render\[[0-9a-f-]+\] succeeded")


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def test_a_render_interrupted_by_a_killed_worker_is_finished_by_the_next_worker():
    logs = harness.log_dir("killed-worker")
    with harness.fresh_database(f"dca_sys_killed_{os.getpid()}") as database_url:
        harness.flush_redis(14)
        env = harness.production_env(
            database_url=database_url,
            redis_db=14,
            media_root=str(logs / "media"),
            CELERY_VISIBILITY_TIMEOUT_SECONDS=str(VISIBILITY_TIMEOUT),
        )
        harness.prepare(env)
        world = harness.run_python(env, "from tests.system.world import build_and_print\nbuild_and_print()")
        with harness.gunicorn(env, logs, workers=1, threads=2) as base_url:
            token = harness.login(base_url, world["students"][0])
            headers = harness.auth(token)
            _complete_course(base_url, token, world["free_course"])
            listing = requests.get(f"{base_url}/api/certificates/", headers=headers, timeout=10).json()
            certificate = listing["results"][0]
            download = f"{base_url}/api/certificates/{certificate['id']}/download/"

            # Given a render that is in progress: another session holds the certificates table, so the task
            # the worker took waits inside its first query
            locker = psycopg.connect(database_url)
            try:
                locker.execute("LOCK TABLE certificates_certificate IN ACCESS EXCLUSIVE MODE")
                with harness.celery_worker(env, logs, name="doomed") as doomed:
                    wait_for(
                        lambda: "certificate_render" in doomed.log() and "received" in doomed.log(),
                        30,
                        "the worker to take the render task",
                    )
                    time.sleep(1)
                    # When the worker dies without warning (OOM killer, a lost machine)
                    os.killpg(doomed.popen.pid, signal.SIGKILL)
                    doomed.popen.wait(timeout=10)
                    killed_log = doomed.log()
            finally:
                locker.rollback()
                locker.close()

            # Then the render did not happen...
            pending = requests.get(download, headers=headers, timeout=10)
            assert pending.status_code == 409 and pending.json()["code"] == "certificate_not_ready"
            assert not RENDER_SUCCEEDED.search(killed_log)  # (other tasks of that worker may have finished)

            # ...and when another worker starts after the broker's visibility timeout, it gets the message back
            time.sleep(VISIBILITY_TIMEOUT + 1)
            with harness.celery_worker(env, logs, name="rescuer") as rescuer:
                pdf = harness.get_when_ready(download, headers=headers, timeout=60)
                rescuer_log = rescuer.log()

    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
    assert RENDER_SUCCEEDED.search(rescuer_log)
