"""The PDF download streams from whichever storage holds the file: local disk or a private S3 bucket."""

from __future__ import annotations

import socket

import boto3
import pytest
from botocore.config import Config
from django.core.files.base import ContentFile
from django.test import override_settings
from moto import mock_aws

pytestmark = pytest.mark.django_db

BUCKET = "dca-test-media"


def s3_storages(**options) -> dict:
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "region_name": "ap-south-1",
                "access_key": "test-key",
                "secret_key": "test-secret",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                **options,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def download_url(certificate) -> str:
    return f"/api/certificates/{certificate.pk}/download/"


def test_the_holder_downloads_a_pdf_stored_in_a_private_bucket(client_for, student, make_certificate):
    with mock_aws(), override_settings(STORAGES=s3_storages()):
        s3 = boto3.client("s3", region_name="ap-south-1")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
        # Given a certificate whose PDF the worker wrote to the bucket
        certificate = make_certificate(student, with_file=False)
        certificate.file.save("cert.pdf", ContentFile(b"%PDF-1.4 from the bucket"), save=True)

        # When its holder downloads it
        response = client_for(student).get(download_url(certificate), HTTP_ACCEPT="application/pdf")
        body = b"".join(response.streaming_content)
        stored = s3.list_objects_v2(Bucket=BUCKET)["Contents"]

    # Then the API streams the object (no redirect to the bucket), and the object is where the row says
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Location" not in response
    assert body == b"%PDF-1.4 from the bucket"
    assert [item["Key"] for item in stored] == [certificate.file.name]


def test_an_unreachable_bucket_is_503_not_500(client_for, student, make_certificate):
    certificate = make_certificate(student)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        storages = s3_storages(
            endpoint_url=f"http://127.0.0.1:{closed.getsockname()[1]}",
            client_config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=1),
        )
        # Given object storage that cannot be reached
        with override_settings(STORAGES=storages):
            # When the holder downloads the certificate
            response = client_for(student).get(download_url(certificate))

    # Then the API says the storage is unavailable, in the error shape
    assert response.status_code == 503
    assert response.json() == {
        "detail": "Certificate files are unavailable right now. Try again shortly.",
        "code": "certificate_storage_unavailable",
    }
