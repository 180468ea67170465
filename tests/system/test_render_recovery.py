"""A certificate render lost with the broker is recovered by a PDF worker alone, with no beat running."""

from __future__ import annotations

import os
import time

import pytest

from tests.system import harness

pytestmark = pytest.mark.system

ISSUE_WITHOUT_BROKER = """
from accounts.models import User
from catalog.models import Course
from certificates.services import certificate_issue
certificate, _ = certificate_issue(user=User.objects.get(email=EMAIL), course=Course.objects.get(pk=COURSE))
print(json.dumps({"id": str(certificate.pk), "file": certificate.file.name}))
"""

# A render counts as lost one second after issue, and the PDF worker looks every two seconds.
PROMPT_RECOVERY = {"CERTIFICATES_RENDER_RECOVER_AFTER_SECONDS": "1", "CERTIFICATES_RENDER_RECOVER_EVERY_SECONDS": "2"}

FILE_OF = """
from certificates.models import Certificate
print(json.dumps({"file": Certificate.objects.get(pk=ID).file.name}))
"""


def test_a_render_lost_with_the_broker_is_recovered_by_a_pdf_worker_without_beat():
    logs = harness.log_dir("recovery")
    database = f"dca_sys_recovery_{os.getpid()}"
    with harness.seeded_database(database, redis_db=10, logs=logs, **PROMPT_RECOVERY) as (env, world, _):
        # Given a certificate issued while the broker was unreachable: its render message never existed
        down = {**env, "CELERY_BROKER_URL": f"redis://{harness.LOOPBACK}:1/0"}
        program = ISSUE_WITHOUT_BROKER.replace("EMAIL", repr(world["students"][0]))
        issued = harness.run_python(down, program.replace("COURSE", repr(world["free_course"])))

        # When only a PDF worker runs (no beat anywhere)
        with harness.celery_worker(env, logs, name="pdf-only", queues="pdf") as worker:
            deadline = time.monotonic() + 60
            rendered = {"file": ""}
            while not rendered["file"] and time.monotonic() < deadline:
                time.sleep(1)
                rendered = harness.run_python(env, FILE_OF.replace("ID", repr(issued["id"])))
            log = worker.log()

    # Then the worker's own timer found the lost render and rendered the PDF within seconds
    assert issued["file"] == ""
    assert rendered["file"].startswith("certificates/") and rendered["file"].endswith(".pdf"), log[-3000:]
    assert "certificates.tasks.certificate_render_recover" in log
