"""Download my data: the zip holds the account's rows and nothing of anyone else's, the
mailed link works once, for its owner, until it expires; the API asks and tells."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from helpers import PASSWORD, AuthActions, build_app, make_thread, make_user
from PIL import Image
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage
from world_datarights import build

from community.accounts import tokens
from community.datarights import export, registry
from community.datarights.models import DataExport
from community.forum import service as forum
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.mail import render
from community.mail.models import MailOutbox
from community.media import service as media
from community.media import storage


@pytest.fixture
def world(app):
    app.config["CIRCLE_MIN_LEVEL"] = 0
    with app.app_context():
        return build()


def _built(user):
    export.request_export(user)
    assert export.build_due() == 1
    return export.latest(user.id)


def _files(found):
    data = storage.backend().get(found.file_name)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) if name.startswith("media/")
                else archive.read(name).decode() for name in archive.namelist()}


def _link(user_id):
    row = db.session.scalar(select(MailOutbox).where(
        MailOutbox.kind == export.MAIL_KIND, MailOutbox.user_id == user_id))
    message = render.build_message(row)
    text = message.body
    start = text.index("http://fanforge.test/")
    return text[start:].split()[0].removeprefix("http://fanforge.test")


def test_the_export_holds_the_accounts_rows_and_nothing_of_anyone_elses(app, world):
    zoe, bob = world.zoe, world.bob
    with app.app_context():
        files = _files(_built(zoe.user))
        everything = "\n".join(v for v in files.values() if isinstance(v, str))
        # Everything Zoe wrote and owns...
        for text in (zoe.said, zoe.email, zoe.street, zoe.recipient, zoe.phone, "zoe_closing",
                     "Shared circle", "A thread to talk in", "Zoe's idea"):
            assert text in everything, text
        areas = {name.removesuffix(".json") for name in files if name.endswith(".json")}
        assert {"users", "posts", "threads", "ideas", "votes", "orders", "addresses",
                "messages", "circles", "circle_members", "point_entries", "api_tokens",
                "mail_preferences", "post_likes"} <= areas
        assert len(json.loads(files["votes.json"])) == 1  # her vote, not Bob's on her idea
        assert len(json.loads(files["messages.json"])) == 1  # the one she sent
        assert len(json.loads(files["orders.json"])) == 1
        # ...and nothing of Bob's, nor any secret.
        for text in (bob.said, bob.email, bob.street, bob.recipient, bob.phone, "bob_staying",
                     "Bob's own thread", "pbkdf2", "scrypt"):
            assert text not in everything, text
        # Every row is found through one of her own columns.
        for rule in registry.exported():
            for row in json.loads(files.get(f"{rule.table}.json", "[]")):
                if rule.column in row:
                    assert row[rule.column] == zoe.user.id, (rule.table, row)
        assert "<html" in files["index.html"] and zoe.said in files["index.html"]


def test_the_mailed_link_works_once_for_its_owner(app, world):
    client = app.test_client()
    with app.app_context():
        found = _built(world.zoe.user)
        link = _link(world.zoe.user.id)
    assert client.get(link).status_code == 302  # signed out: sign in first
    auth = AuthActions(client)
    auth.login("bob_staying")
    assert client.get(link).status_code == 404  # not Bob's
    assert client.post(link).status_code == 404
    auth.logout()
    auth.login("zoe_closing", PASSWORD)
    page = client.get(link)
    assert page.status_code == 200 and b"download-export" in page.data
    got = client.post(link)
    assert got.status_code == 200 and got.headers["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(got.data)).read("index.html")
    assert client.post(link).status_code == 404  # single use
    assert client.get(link).status_code == 404
    with app.app_context():
        assert db.session.get(DataExport, found.id).state == "downloaded"
        assert storage.backend().get(found.file_name) is None  # the file is gone
    assert client.get("/settings/data/export/forged-token").status_code == 404


def test_an_unused_link_expires_with_its_file(app, world):
    client = app.test_client()
    with app.app_context():
        found = _built(world.zoe.user)
        link, name = _link(world.zoe.user.id), found.file_name
        with transaction():
            db.session.execute(update(DataExport).values(expires_at=utcnow() - timedelta(seconds=1)))
        assert export.expire_old() == 1
        assert storage.backend().get(name) is None
        assert export.latest(world.zoe.user.id).state == "expired"
    AuthActions(client).login("zoe_closing")
    assert client.get(link).status_code == 404


def test_settings_ask_for_an_export_and_show_how_it_stands(app):
    with app.app_context():
        make_user("zoe_closing")
    client = app.test_client()
    AuthActions(client).login("zoe_closing")
    settings = client.get("/settings")
    assert b'href="/settings/data"' in settings.data
    assert b"request-export" in client.get("/settings/data").data
    assert client.post("/settings/data/export").status_code == 302
    client.post("/settings/data/export")  # asked twice: still one
    page = client.get("/settings/data")
    assert b"data-export-state" in page.data and b"request-export" not in page.data
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(DataExport)) == 1


def test_the_api_asks_for_an_export_and_tells_its_state(app):
    client = app.test_client()
    with app.app_context():
        _token, plaintext = tokens.create_token(make_user("zoe_closing"), "export")
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get("/api/v1/me/data-export", headers=headers).status_code == 404
    assert client.post("/api/v1/me/data-export").status_code == 401
    asked = client.post("/api/v1/me/data-export", headers=headers)
    assert asked.status_code == 202 and asked.get_json()["state"] == "queued"
    with app.app_context():
        export.build_due()
    status = client.get("/api/v1/me/data-export", headers=headers).get_json()
    assert status["state"] == "ready" and status["size"] > 0 and status["expires_at"]
    assert status["id"] == asked.get_json()["id"]


def test_a_build_that_fails_says_so_and_may_be_asked_again(app, monkeypatch):
    with app.app_context():
        zoe = make_user("zoe_closing")
        export.request_export(zoe)

        def broken(user):
            raise OSError("disk full")

        monkeypatch.setattr(export, "build_zip", broken)
        assert export.build_due() == 0 and export.latest(zoe.id).state == "failed"
        assert export.build_due() == 0  # not tried again for ever
    client = app.test_client()
    AuthActions(client).login("zoe_closing")
    page = client.get("/settings/data", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "你上一份数据副本未能生成" in page and 'data-testid="request-export"' in page


def _png():
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, "PNG")
    out.seek(0)
    return out


def test_the_photos_they_uploaded_are_in_the_zip(app):
    with app.app_context():
        zoe = make_user("zoe_closing", role="staff")  # staff may attach images at once
        thread = make_thread(author=zoe)
        forum.reply(forum.get_thread(thread.id, zoe), zoe, "A photo of my desk",
                    images=media.prepare([FileStorage(_png(), filename="desk.png")], zoe))
        files = _files(_built(zoe))
        [row] = json.loads(files["media_images.json"])
        assert files[f"media/{row['name']}"] == storage.backend().get(row["name"])


def test_asking_for_exports_is_rate_limited_across_the_page_and_the_api(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/limits.sqlite3", tmp_path, RATELIMIT_ENABLED=True,
                    RATELIMIT_DATA_EXPORT="2 per day")
    with app.app_context():
        db.create_all()
        _token, plaintext = tokens.create_token(make_user("zoe_closing"), "export")
    client = app.test_client()
    AuthActions(client).login("zoe_closing")
    assert client.post("/settings/data/export").status_code == 302
    api = client.post("/api/v1/me/data-export", headers={"Authorization": f"Bearer {plaintext}"})
    assert api.status_code == 202
    assert client.post("/settings/data/export").status_code == 429
