"""Object storage end to end: a worker on one "machine" renders a certificate into a real S3 API server
(moto on loopback), and a web process on another downloads it. The two never share a disk."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import boto3
import pytest
import requests

from scripts.s3_server import s3_server
from tests.system import harness
from tests.system.test_celery_certificate import _complete_course

pytestmark = pytest.mark.system


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_certificate_rendered_by_a_worker_downloads_from_another_machine_through_object_storage():
    logs = harness.log_dir("s3")
    web_media, worker_media = logs / "web-media", logs / "worker-media"
    with (
        harness.fresh_database(f"dca_sys_s3_{os.getpid()}") as database_url,
        s3_server(bucket="dca-system-media", log_path=logs / "moto.log") as storage,
    ):
        harness.flush_redis(14)
        # Given a web process and a worker with the same database, broker and bucket, but each its own disk
        common = {"database_url": database_url, "redis_db": 14, **storage}
        web_env = harness.production_env(media_root=str(web_media), **common)
        worker_env = harness.production_env(media_root=str(worker_media), **common)
        harness.prepare(web_env)
        world = harness.run_python(web_env, "from tests.system.world import build_and_print\nbuild_and_print()")

        with (
            harness.gunicorn(web_env, logs, workers=1, threads=2) as base_url,
            harness.celery_worker(worker_env, logs, name="pdf-worker", queues="pdf") as worker,
        ):
            # (the documented worker health check answers for it)
            ping = harness.run_tool(
                [
                    str(harness.BIN / "celery"),
                    "-A",
                    "config",
                    "inspect",
                    "ping",
                    "-d",
                    f"pdf-worker@{socket.gethostname()}",
                    "--timeout",
                    "10",
                ],
                worker_env,
                timeout=60,
            )
            token = harness.login(base_url, world["students"][0])
            headers = harness.auth(token)

            # When a learner completes a course over the API
            _complete_course(base_url, token, world["free_course"])
            listing = requests.get(f"{base_url}/api/certificates/", headers=headers, timeout=10).json()
            certificate = listing["results"][0]

            # Then the PDF worker (consuming only the pdf queue) renders it, and the web process serves it
            download = f"{base_url}/api/certificates/{certificate['id']}/download/"
            pdf = harness.get_when_ready(download, headers=headers, timeout=45)
            log = worker.log()
            # And a stranger gets nothing: the permission checks still guard the bytes
            stranger = harness.login(base_url, world["students"][1])
            refused = requests.get(
                f"{base_url}/api/certificates/{certificate['id']}/download/", headers=harness.auth(stranger), timeout=10
            )

        bucket = boto3.client(
            "s3",
            endpoint_url=storage["AWS_S3_ENDPOINT_URL"],
            region_name=storage["AWS_S3_REGION_NAME"],
            aws_access_key_id=storage["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=storage["AWS_SECRET_ACCESS_KEY"],
        )
        keys = [item["Key"] for item in bucket.list_objects_v2(Bucket="dca-system-media").get("Contents", [])]
        grants = [bucket.get_object_acl(Bucket="dca-system-media", Key=key)["Grants"] for key in keys]

    assert ping.returncode == 0 and "pong" in ping.stdout, ping.stdout + ping.stderr
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "certificates.tasks.certificate_render" in log and "succeeded" in log
    assert refused.status_code == 404
    # The file lives in the bucket only, privately: neither machine's disk has it, nobody but the owner may read
    assert len(keys) == 1 and keys[0].startswith("certificates/") and keys[0].endswith(".pdf")
    assert files_under(web_media) == [] and files_under(worker_media) == []
    assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants[0])
