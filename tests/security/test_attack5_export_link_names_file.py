"""attack5: with FANFORGE_MEDIA_S3_PUBLIC_URL the bucket lets anyone read an object by its
key (README), and a member's data export is such an object (media/<name>.zip). The mailed
download link is meant to work once, for its owner signed in; but its token was signed,
not sealed: base64 of {"x": id, "f": "<the zip's name>"}. Whoever saw the link (a
forwarded mail, a mail scanner, a proxy log) read the name off it and fetched the whole
export from the bucket, signed out, as often as they liked until it expired."""

import base64
import json
import re
import secrets
import urllib.error
import urllib.request

import boto3
import pytest
from helpers import PASSWORD, make_user
from moto.server import ThreadedMotoServer
from sqlalchemy import select

from community.datarights import export
from community.kernel.extensions import db
from community.mail import render
from community.mail.models import MailOutbox
from community.media import s3

pytestmark = pytest.mark.one_database

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
def public_s3_app(sqlite_app, endpoint, tmp_path):
    bucket = f"fanforge-{secrets.token_hex(4)}"
    boto3.client("s3", endpoint_url=endpoint, **{
        "region_name": "us-east-1", "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing"}).create_bucket(Bucket=bucket)
    sqlite_app.config.update(MEDIA_STORAGE="s3", MEDIA_S3_BUCKET=bucket,
                             MEDIA_S3_ENDPOINT_URL=endpoint, MEDIA_S3_ADDRESSING="path",
                             MEDIA_S3_PUBLIC_URL=f"{endpoint}/{bucket}",
                             MEDIA_DIR=str(tmp_path / "media"),
                             UPLOAD_DIR=str(tmp_path / "uploads"), **KEYS)
    sqlite_app.extensions.pop("media_storage", None)
    sqlite_app.extensions.pop("media_storage:uploads", None)
    with sqlite_app.app_context():  # as README asks: anyone may read an object by its key
        s3.client_for(sqlite_app.config).put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    return sqlite_app


def _mailed_token(user_id):
    row = db.session.scalar(select(MailOutbox).where(
        MailOutbox.kind == export.MAIL_KIND, MailOutbox.user_id == user_id))
    return re.search(r"/settings/data/export/(\S+)", render.build_message(row).body).group(1)


def _fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as found:  # noqa: S310 (test server)
            return found.read()
    except urllib.error.HTTPError:
        return None


def test_the_mailed_link_does_not_hand_out_the_zip_in_the_bucket(public_s3_app):
    app = public_s3_app
    with app.app_context():
        owner = make_user("exporter5")
        export.request_export(owner)
        assert export.build_due() == 1
        token = _mailed_token(owner.id)
        file_name = export.find_for_link(owner, token).file_name  # the owner's link works

    # Someone holding the link alone: no secret key, no session, only base64.
    payload = token.split(".")[0]
    readable = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("latin-1")
    base = app.config["MEDIA_S3_PUBLIC_URL"]
    assert _fetch(f"{base}/media/{file_name}") is not None  # the bucket reads by key
    for name in re.findall(r"[0-9a-f]{32}\.zip", readable):
        assert _fetch(f"{base}/media/{name}") is None, "the export, read from the bucket"

    client = app.test_client()
    client.post("/login", data={"login": "exporter5", "password": PASSWORD})
    got = client.post(f"/settings/data/export/{token}")
    assert got.status_code == 200 and got.headers["Content-Type"] == "application/zip"
