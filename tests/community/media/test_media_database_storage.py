"""FANFORGE_MEDIA_STORAGE=database: uploads live in the database, so a second web host on
the same database (its own instance folder, no shared disk) serves what the first one
stored: fans' images, product images and trial photos alike."""

import contextlib

import pytest
from helpers import stored_blobs
from media_factories import reply_with_a_photo

from community.kernel.database import transaction
from community.media import storage


def test_a_fans_photo_posted_on_one_host_is_served_by_another(storage_hosts, tmp_path):
    a, b = storage_hosts
    image = reply_with_a_photo(a)
    served = b.test_client().get(f"/media/{image.name}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data == a.test_client().get(f"/media/{image.name}").data
    assert b.test_client().get(f"/media/{image.thumb_name}").status_code == 200
    assert not (tmp_path / "a" / "media").exists()  # nothing on either host's disk


def test_a_refused_write_leaves_no_bytes_behind(storage_hosts):
    """pending() stores before the use case's transaction and deletes on its failure."""
    a, _b = storage_hosts
    with a.app_context():
        found = [storage.new_name("png")]
        backend = storage.backend()
        backend.put(found[0], b"bytes", "image/png")
        assert backend.get(found[0]) == b"bytes"
        with pytest.raises(ValueError):
            backend.put("../escape.png", b"x", "image/png")
        backend.delete(found[0])
        backend.delete(found[0])  # missing is fine
        assert backend.get(found[0]) is None
    assert stored_blobs(a) == 0


def test_an_unknown_backend_is_named_at_first_use(app):
    app.config["MEDIA_STORAGE"] = "ftp"
    app.extensions.pop("media_storage", None)
    with app.app_context(), pytest.raises(RuntimeError, match="database, local, s3"):
        storage.backend()


def test_a_site_moving_to_the_database_copies_its_files_once(app, tmp_path):
    """`flask media copy-to-database`: local files in, names checked, twice is harmless."""
    app.config.update(MEDIA_DIR=str(tmp_path / "media"), UPLOAD_DIR=str(tmp_path / "uploads"))
    names = {"media": storage.new_name("png"), "uploads": storage.new_name("jpg")}
    with app.app_context():
        for area, name in names.items():
            storage.backend_factory("local")(app, area).put(name, area.encode(), "image/png")
    (tmp_path / "media" / "notes.txt").write_text("not a stored file")
    runner = app.test_cli_runner()
    assert "2 files copied, 0 already" in runner.invoke(args=["media", "copy-to-database"]).output
    assert "0 files copied, 2 already" in runner.invoke(args=["media", "copy-to-database"]).output
    with app.app_context():
        database = storage.DatabaseStorage()
        assert {area: database.get(name) for area, name in names.items()} == {
            "media": b"media", "uploads": b"uploads"}
        assert stored_blobs(app) == 2


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_a_delete_inside_a_use_case_waits_for_its_end(app, outcome):
    """A form sent twice discards its new files inside the transaction: on SQLite a second
    connection could not write then, so the delete goes in as the transaction ends."""
    app.config["MEDIA_STORAGE"] = "database"
    app.extensions.pop("media_storage", None)
    with app.app_context():
        backend = storage.backend()
        name = storage.new_name("png")
        backend.put(name, b"bytes", "image/png")
        with contextlib.suppress(LookupError), transaction():
            backend.delete(name)
            assert backend.get(name) == b"bytes"  # not yet
            with pytest.raises(RuntimeError, match="before the use case's transaction"):
                backend.put(storage.new_name("png"), b"x", "image/png")
            if outcome == "rollback":
                raise LookupError
        assert backend.get(name) is None
        assert stored_blobs(app) == 0
