"""Circle threads and their replies never reach search: not the page, not the API, not
the similar-ideas list, not after a rebuild, for outsiders and members alike (a circle's
words are read on the circle's own pages, which ask the circle who may read them)."""

import pytest
from helpers import PASSWORD, AuthActions, indexed_search_keys, make_board, make_thread, make_user
from sqlalchemy import update

from community import search
from community.accounts.models import User
from community.circles import service as circles
from community.circles import threads as circle_threads
from community.forum import service as forum
from community.kernel.database import transaction
from community.kernel.extensions import db

WORD = "zorbleberry"


def _fan(name):
    user = make_user(name)
    with transaction():  # starting a circle needs a level above the first
        db.session.execute(update(User).where(User.id == user.id).values(points=100))
    return db.session.get(User, user.id)


@pytest.fixture
def world(app):
    with app.app_context():
        owner, outsider = _fan("circleowner"), _fan("outsider")
        board = make_board(slug="open-board")
        public = make_thread(board, outsider, f"Public {WORD} talk", f"{WORD} 公开 讨论")
        found = {}
        for visibility in ("private", "open"):
            circle = circles.create_circle(owner, f"Secret {visibility}", f"secret-{visibility}",
                                           visibility=visibility)
            thread = circle_threads.create_thread(circle, owner, f"Circle {WORD} plans",
                                                  f"私密 {WORD} 活动 details")
            reply = forum.reply(thread, owner, f"more {WORD} secrets 私密")
            found[visibility] = (thread.id, reply.id)
        search.drain()
        return {"public": public.id, "circle_threads": {t for t, _r in found.values()},
                "circle_replies": {r for _t, r in found.values()}}


def _indexed_keys(app):
    with app.app_context():
        return indexed_search_keys()


def _assert_only_public(app, world):
    keys = _indexed_keys(app)
    assert f"thread:{world['public']}" in keys
    assert not {f"thread:{t}" for t in world["circle_threads"]} & keys
    assert not {f"reply:{r}" for r in world["circle_replies"]} & keys
    with app.test_request_context():
        for q in (WORD, "私密", f"{WORD} 活动"):
            hits = {(h.kind, h.id) for h in search.search(q).items}
            assert hits <= {("thread", world["public"])}, q


def test_circle_threads_and_replies_are_never_indexed(app, world):
    _assert_only_public(app, world)
    with app.app_context():
        search.rebuild()
    _assert_only_public(app, world)


@pytest.mark.parametrize("who", [None, "outsider", "circleowner"])
def test_search_page_and_api_leave_circles_out(app, world, who):
    client = app.test_client()
    if who:
        AuthActions(client).login(who, PASSWORD)
    page = client.get(f"/search?q={WORD}").text
    assert f'href="/t/{world["public"]}"' in page
    for tid in world["circle_threads"]:
        assert f"/t/{tid}" not in page and "/circles/" not in page
    assert 'data-testid="search-hit"' not in client.get("/search?q=私密").text
    body = client.get(f"/api/v1/search?q={WORD}").get_json()
    assert [(i["type"], i["id"]) for i in body["items"]] == [("thread", world["public"])]
    assert body["total"] == 1
    assert client.get("/api/v1/search?q=私密").get_json()["items"] == []
    assert client.get(f"/api/v1/search?q={WORD}&type=reply").get_json()["items"] == []


def test_the_circles_board_is_not_a_search_filter(app, world):
    client = app.test_client()
    page = client.get(f"/search?q={WORD}").text
    assert 'value="open-board"' in page
    assert f'value="{circle_threads.BOARD_SLUG}"' not in page
    body = client.get(f"/api/v1/search?q={WORD}&board={circle_threads.BOARD_SLUG}").get_json()
    assert body["items"] == [] and body["total"] == 0
