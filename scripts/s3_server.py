"""A real S3 API server on loopback (moto's standalone server) with one private bucket.

    python -m scripts.s3_server [--bucket dca-media] [--port 0]

prints the settings that point the app at it (AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, ...) and serves
until interrupted. The system tests use ``s3_server()`` directly. Development and tests only: the data lives
in the server's memory and any credentials are accepted.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import requests

from scripts.processes import stop_process_group

BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
REGION = "ap-south-1"
ACCESS_KEY_ID = "dca-local-access-key"
SECRET_ACCESS_KEY = "dca-local-secret-key"  # noqa: S105 - moto accepts any credentials


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def create_private_bucket(settings: dict[str, str]) -> None:
    """Create the bucket with every kind of public access blocked (as a production bucket must be)."""
    client = boto3.client(
        "s3",
        endpoint_url=settings["AWS_S3_ENDPOINT_URL"],
        region_name=settings["AWS_S3_REGION_NAME"],
        aws_access_key_id=settings["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["AWS_SECRET_ACCESS_KEY"],
    )
    bucket = settings["AWS_STORAGE_BUCKET_NAME"]
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


@contextlib.contextmanager
def s3_server(*, bucket: str = "dca-media", port: int = 0, log_path: Path | None = None) -> Iterator[dict[str, str]]:
    """Start ``moto_server`` on a free loopback port, create ``bucket``; yield the app's storage settings.

    The server (its own process group) is stopped on exit.
    """
    port = port or _free_port()
    endpoint = f"http://{LOOPBACK}:{port}"
    log = log_path.open("wb") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(  # noqa: S603 - moto's entry point from our own virtualenv
        [str(BIN / "moto_server"), "-H", LOOPBACK, "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    if log_path:
        log.close()
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{endpoint}/moto-api/", timeout=1).status_code < 500:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("moto_server did not answer within 30 s")
            time.sleep(0.2)
        settings = {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        }
        create_private_bucket(settings)
        yield settings
    finally:
        stop_process_group(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", default="dca-media")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port")
    args = parser.parse_args()
    with s3_server(bucket=args.bucket, port=args.port) as settings:
        for name, value in settings.items():
            print(f"{name}={value}", flush=True)
        print("# S3 server running; Ctrl-C stops it (and loses its data).", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
