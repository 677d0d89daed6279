"""attack5: with FANFORGE_MEDIA_S3_PUBLIC_URL the bucket lets anyone read an object by its
key (README), and a member's data export is such an object (media/<name>.zip). The mailed
download link is meant to work once, for its owner signed in; but its token was signed,
not sealed: base64 of {"x": id, "f": "<the zip's name>"}. Whoever saw the link (a
forwarded mail, a mail scanner, a proxy log) read the name off it and fetched the whole
export from the bucket, signed out, as often as they liked until it expired."""

import base64
import re
import urllib.error
import urllib.request

import pytest
from helpers import PASSWORD, make_user
from sqlalchemy import select

from community.datarights import export
from community.kernel.extensions import db
from community.mail import render
from community.mail.models import MailOutbox

pytestmark = pytest.mark.one_database
# The S3 look-alike's fixtures: endpoint, bucket, s3_app, public_s3_app.
pytest_plugins = ["s3_world"]


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
    base = app.config["MEDIA_S3_PUBLIC_URL"].rstrip("/")
    assert _fetch(f"{base}/media/{file_name}") is not None  # the bucket reads by key
    for name in re.findall(r"[0-9a-f]{32}\.zip", readable):
        assert _fetch(f"{base}/media/{name}") is None, "the export, read from the bucket"

    client = app.test_client()
    client.post("/login", data={"login": "exporter5", "password": PASSWORD})
    got = client.post(f"/settings/data/export/{token}")
    assert got.status_code == 200 and got.headers["Content-Type"] == "application/zip"
