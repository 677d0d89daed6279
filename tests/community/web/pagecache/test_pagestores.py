"""Page stores keep text, never pickles, and a store that fails is a miss or a skipped
write, never an error (community/web/pagecache/stores/)."""

import json
import logging
import os
import pickle
import sqlite3

import pytest
import redis
from helpers import build_app, make_product, make_thread, make_user
from servers import free_port

from community.forum import service as forum
from community.kernel.extensions import db
from community.web.pagecache import stores


class _Planted:
    """Unpickling this writes a file: the proof a store ran what it read."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def _app(tmp_path, cache_url):
    app = build_app(f"sqlite:///{tmp_path}/pages.sqlite3", tmp_path, CACHE_URL=cache_url)
    with app.app_context():
        db.create_all()
    return app


def _cached(response):
    return response.headers.get("X-Page-Cache")


def test_the_embedded_store_keeps_text_and_runs_nothing_it_reads(tmp_path):
    store_path = tmp_path / "store" / "pages.sqlite3"
    app = _app(tmp_path, f"file://{store_path}")
    with app.app_context():
        product = make_product()
        product_id, slug = product.id, product.slug
        thread_id = make_thread(title="Kept as text").id
    visitor = app.test_client()
    for path in (f"/t/{thread_id}", f"/products/{slug}"):
        assert _cached(visitor.get(path)) == "miss"
        assert _cached(visitor.get(path)) == "hit"
    with sqlite3.connect(store_path) as stored:
        rows = stored.execute("SELECT body, header FROM pages").fetchall()
    assert len(rows) == 2
    assert all(body.startswith(b"<!doctype html>") for body, _ in rows)
    assert {json.dumps(json.loads(header)["a"]) for _, header in rows} == {
        "[]", f'[["product_view", [{product_id}]]]'}
    # Someone who can write the store plants a pickle: it is never unpickled.
    planted = tmp_path / "planted"
    with sqlite3.connect(store_path) as stored:
        stored.execute("UPDATE pages SET body = ?, header = ?",
                       (pickle.dumps(_Planted(planted)), pickle.dumps(_Planted(planted))))
    page = visitor.get(f"/t/{thread_id}")
    assert page.status_code == 200 and b"Kept as text" in page.data
    assert not planted.exists()


def test_a_redis_store_keeps_text(tmp_path):
    url = "redis://127.0.0.1:6379/5"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis at " + url)
    store = stores.PageRedis(url, 60, f"fanforge-test:{tmp_path.name}:")
    token = store.generation()
    drawn = stores.Drawn(store.seq(), 1.5, ("ideas.id=3", "ideas*"))
    assert store.set("k", b"<p>\xe4\xbd\xa0\n</p>", [("product_view", (3,))], drawn)
    found = store.get("k")
    assert (found.body, found.actions, found.drawn) == (
        b"<p>\xe4\xbd\xa0\n</p>", [["product_view", [3]]], drawn)
    assert found.moved == found.moved_live == 0
    assert store.client.get(store.prefix + "k").endswith(b'\n<p>\xe4\xbd\xa0\n</p>')
    store.bump({"ideas.id=3"}, set())  # a write of what it shows: newer than the page
    assert store.get("k").moved > drawn.seq
    assert not store.set("k", b"older", [], drawn)  # drawn before that write: not stored
    store.client.set(store.prefix + "k", pickle.dumps(_Planted(tmp_path / "planted")))
    assert store.get("k") is None and not (tmp_path / "planted").exists()
    store.client.delete(store.prefix + "k", store.prefix + stores.GENERATION_KEY,
                        store.prefix + "v:" + token, store.prefix + "l:" + token)


def test_a_store_out_of_reach_is_skipped_and_said_once(tmp_path, caplog, monkeypatch):
    # Alembic's fileConfig (the migration tests) disables loggers that exist by then.
    monkeypatch.setattr(stores.log, "disabled", False)
    app = _app(tmp_path, f"redis://127.0.0.1:{free_port()}/3")  # nobody listens there
    with app.app_context():
        thread_id = make_thread(title="Still here").id
        user = make_user()
    visitor = app.test_client()
    with caplog.at_level(logging.WARNING, logger="community.web.pagecache.stores"):
        for _ in range(3):
            page = visitor.get(f"/t/{thread_id}")
            assert page.status_code == 200 and _cached(page) is None
            with app.app_context():  # a visible write: its generation bump cannot be stored
                forum.reply(forum.get_thread(thread_id, user), user, "Saved all the same")
    assert "Saved all the same" in visitor.get(f"/t/{thread_id}").get_data(as_text=True)
    warnings = [r for r in caplog.records if r.name == "community.web.pagecache.stores"]
    assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage()
    assert warnings[0].exc_info is None  # a line, not a traceback


def test_a_lost_bump_makes_a_new_generation_before_the_store_is_read_again(monkeypatch):
    store = stores.PageMemory(60)
    before = store.generation()
    assert store.set(f"{before}:page", b"old", [], stores.Drawn(store.seq(), 0.0, ("t",)))

    def refused(*_args):
        raise ConnectionRefusedError("refused")

    monkeypatch.setattr(store, "_bump_keys", refused)
    monkeypatch.setattr(store, "_set_generation", refused)
    assert store.bump({"t"}, set()) is None  # after a commit: nothing raised
    assert store.generation() is None  # meanwhile: neither read nor stored
    assert store.seq() is None
    monkeypatch.undo()
    monkeypatch.setattr(stores.base, "RETRY_SECONDS", 0)
    store._retry_at = 0.0
    assert store.generation() not in (None, before)


def test_the_cache_key_holds_where_the_request_came_in(tmp_path):
    app = _app(tmp_path, "memory://")
    visitor = app.test_client()
    assert _cached(visitor.get("/ideas")) == "miss"
    assert _cached(visitor.get("/ideas", base_url="https://localhost")) == "miss"
    assert _cached(visitor.get("/ideas", headers={"Host": "127.0.0.1"})) == "miss"
    assert _cached(visitor.get("/ideas")) == "hit"


def test_the_embedded_store_keeps_versions_in_small_pages_beside_the_pages(tmp_path):
    path = str(tmp_path / "pages.sqlite3")
    store = stores.PageSQLite(path, 60)
    drawn = stores.Drawn(store.seq(), 1.5, ("ideas.id=3", "ideas*"))
    assert store.set("k", b"<p>kept</p>", [], drawn)
    store.bump({"ideas.id=4"}, set())  # another idea: the page stays
    assert store.get("k").moved <= drawn.seq
    store.bump({"ideas.id=3"}, set())
    assert store.get("k").moved > drawn.seq
    with sqlite3.connect(path + ".versions") as versions:
        assert versions.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert versions.execute("SELECT seq FROM counter").fetchone()[0] == drawn.seq + 2
    with sqlite3.connect(path) as pages:  # a bump writes nothing into the pages' file
        assert pages.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                             ).fetchall() == [("pages",)]
    # The versions lost (a file removed by hand): no page kept beside them is served.
    assert store.set("k", b"<p>kept</p>", [], stores.Drawn(store.seq(), 1.5, ("ideas.id=3",)))
    store.close()
    for suffix in (".versions", ".versions-wal", ".versions-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    again = stores.PageSQLite(path, 60)
    assert again.seq() == 0 and again.get("k") is None
