"""An S3 look-alike for tests (moto's server on 127.0.0.1, signed by boto3 as against AWS,
MinIO or OSS). A test module names it in `pytest_plugins` for its fixtures: `endpoint`,
`bucket`, `s3_app` (FANFORGE_MEDIA_STORAGE=s3) and `public_s3_app` (with a PUBLIC_URL)."""

import json
import secrets

import boto3
import pytest
from moto.server import ThreadedMotoServer

from community.media import s3

KEYS = {"MEDIA_S3_ACCESS_KEY_ID": "testing", "MEDIA_S3_SECRET_ACCESS_KEY": "testing",
        "MEDIA_S3_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(endpoint):
    name = f"fanforge-{secrets.token_hex(4)}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_app(sqlite_app, endpoint, bucket, tmp_path):
    sqlite_app.config.update(MEDIA_STORAGE="s3", MEDIA_S3_BUCKET=bucket,
                             MEDIA_S3_ENDPOINT_URL=endpoint, MEDIA_S3_ADDRESSING="path",
                             MEDIA_DIR=str(tmp_path / "media"),
                             UPLOAD_DIR=str(tmp_path / "uploads"), **KEYS)
    sqlite_app.extensions.pop("media_storage", None)
    sqlite_app.extensions.pop("media_storage:uploads", None)
    return sqlite_app


@pytest.fixture
def public_s3_app(s3_app, endpoint, bucket):
    """Images read from the bucket (MEDIA_S3_PUBLIC_URL), and the bucket as README asks:
    anyone may read an object by its key (no listing)."""
    s3_app.config["MEDIA_S3_PUBLIC_URL"] = f"{endpoint}/{bucket}/"
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}]}
    with s3_app.app_context():
        s3.client_for(s3_app.config).put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    return s3_app
