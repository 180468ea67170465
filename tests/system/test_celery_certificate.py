"""A real Celery worker on Redis renders a certificate end to end (no eager mode anywhere)."""

from __future__ import annotations

import os

import pytest
import requests

from tests.system import harness

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def stack():
    logs = harness.log_dir("celery")
    with harness.fresh_database(f"dca_sys_celery_{os.getpid()}") as database_url:
        harness.flush_redis(12)
        env = harness.production_env(database_url=database_url, redis_db=12, media_root=str(logs / "media"))
        harness.prepare(env)
        world = harness.run_python(env, "from tests.system.world import build_and_print\nbuild_and_print()")
        with harness.gunicorn(env, logs, workers=1, threads=2) as base_url:
            yield {"env": env, "logs": logs, "world": world, "base_url": base_url}


def _complete_course(base_url: str, token: str, course: str) -> None:
    headers = harness.auth(token)
    curriculum = requests.get(f"{base_url}/api/courses/{course}/curriculum/", headers=headers, timeout=10).json()
    for module in curriculum["modules"]:
        for lesson in module["lessons"]:
            done = requests.post(f"{base_url}/api/lessons/{lesson['id']}/complete/", headers=headers, timeout=10)
            assert done.status_code == 200, done.text
        quizzes = requests.get(f"{base_url}/api/quizzes/?module={module['id']}", headers=headers, timeout=10).json()
        answers = [{"quiz": quiz["id"], "selected_option": 0} for quiz in quizzes["results"]]
        attempt = requests.post(
            f"{base_url}/api/modules/{module['id']}/quiz-attempts/",
            json={"answers": answers},
            headers=headers,
            timeout=10,
        )
        assert attempt.status_code == 201 and attempt.json()["passed"], attempt.text


def test_a_worker_on_redis_renders_the_certificate_of_a_course_completed_over_the_api(stack):
    base_url, world = stack["base_url"], stack["world"]
    token = harness.login(base_url, world["students"][0])
    headers = harness.auth(token)

    # Given a learner who completes the free course through the API while no worker is running
    _complete_course(base_url, token, world["free_course"])

    # Then the certificate is issued but its PDF waits in the Redis queue: the web process renders nothing
    listing = requests.get(f"{base_url}/api/certificates/", headers=headers, timeout=10).json()["results"]
    assert len(listing) == 1 and listing[0]["file_ready"] is False
    certificate = listing[0]
    pending = requests.get(f"{base_url}/api/certificates/{certificate['id']}/download/", headers=headers, timeout=10)
    assert pending.status_code == 409 and pending.json()["code"] == "certificate_not_ready"

    # When a real Celery worker starts on the same broker
    with harness.celery_worker(stack["env"], stack["logs"]) as worker:
        download = f"{base_url}/api/certificates/{certificate['id']}/download/"
        pdf = harness.get_when_ready(download, headers=headers, timeout=90)
        log = worker.log()

    # Then it renders the PDF, which downloads from the web process through the shared media storage
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "certificates.tasks.certificate_render" in log and "succeeded" in log
    public = requests.get(f"{base_url}/api/certificates/verify/{certificate['verification_code']}/", timeout=10)
    assert public.status_code == 200 and public.json()["status"] == "valid"
