"""Drafts kept as a fan types, ended by posting, and a refused reply's text kept for the
box it came from (community/composer/)."""

import pytest
from helpers import make_board, make_thread, make_user

from community.accounts import follows
from community.composer import drafts
from community.composer.models import Draft
from community.forum import service as forum
from community.ideas import service as ideas
from community.kernel.extensions import db

JSON = {"Accept": "application/json"}  # as composer.js asks: errors come back as JSON


@pytest.fixture
def world(app):
    with app.app_context():
        board = make_board("band", "Band")
        lilei = make_user("lilei")
        make_user("hanmei")
        thread = make_thread(board, lilei, "Battery")
        idea = ideas.propose(board, lilei, "Longer battery", "Two weeks please")
        return {"board": board.id, "thread": thread.id, "idea": idea.id,
                "idea_thread": idea.thread_id}


def _put(client, place, body, url="/t/1"):
    return client.put(f"/composer/drafts/{place}", json={"body": body, "url": url}, headers=JSON)


def test_a_draft_is_kept_for_its_writer_alone_until_emptied(app, client, auth, world):
    auth.login("lilei")
    place = f"reply:{world['thread']}"
    assert client.get(f"/composer/drafts/{place}").status_code == 204
    assert _put(client, place, "half a thought", f"/t/{world['thread']}").status_code == 200
    assert _put(client, place, "half a thought, finished").status_code == 200  # one per place
    kept = client.get(f"/composer/drafts/{place}").get_json()
    assert kept["body"] == "half a thought, finished" and kept["error"] is None
    page = client.get("/me/drafts").get_data(as_text=True)
    assert "half a thought, finished" in page and 'href="/t/1"' in page

    auth.logout()
    auth.login("hanmei")
    assert client.get(f"/composer/drafts/{place}").status_code == 204
    assert "half a thought" not in client.get("/me/drafts").get_data(as_text=True)

    auth.logout()
    auth.login("lilei")
    assert _put(client, place, "   ").status_code == 200  # an emptied box forgets it
    assert client.get(f"/composer/drafts/{place}").status_code == 204


BAD_DRAFTS = [
    ("nonsense", "text", "/t/1", "place"),
    ("reply:1;drop", "text", "/t/1", "place"),
    ("reply:1", "text", "//evil.example/x", "url"),
    ("reply:1", "text", "https://evil.example/", "url"),
    ("reply:1", "x" * 20_001, "/t/1", "body"),
]


def test_a_bad_draft_is_a_clear_422(client, auth, world):
    auth.login("lilei")
    for place, body, url, field in BAD_DRAFTS:
        response = _put(client, place, body, url)
        assert (response.status_code, response.get_json()["error"]["field"]) == (422, field), place
    assert client.get("/composer/drafts/reply:1").status_code == 204  # none was kept


def test_a_draft_needs_a_json_body_and_a_signed_in_writer(client, auth, world):
    assert client.put("/composer/drafts/reply:1", json={"body": "x", "url": "/"}).status_code in (302, 401)
    auth.login("lilei")
    response = client.put("/composer/drafts/reply:1", data="body=x", headers=JSON)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_json"


def test_posting_the_reply_ends_its_draft(app, client, auth, world):
    auth.login("lilei")
    place = f"reply:{world['thread']}"
    _put(client, place, "My reply")
    _put(client, "idea:new", "An idea for later")
    response = client.post(f"/t/{world['thread']}/reply", data={"body": "My reply"})
    assert response.status_code == 302
    assert client.get(f"/composer/drafts/{place}").status_code == 204
    assert client.get("/composer/drafts/idea:new").status_code == 200  # other places stay


def test_a_refused_reply_on_an_idea_page_comes_back_with_its_reason(app, client, auth, world):
    app.config["LINKS_MIN_LEVEL"] = 9
    auth.login("hanmei")
    text = "Cheaper here: https://spam.example/deal"
    response = client.post(f"/t/{world['idea_thread']}/reply", data={"body": text})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{world['idea']}#reply"
    kept = client.get(f"/composer/drafts/reply:{world['idea_thread']}").get_json()
    assert kept["body"] == text and "level 9" in kept["error"]
    # Posting again once it is fixed ends the draft.
    client.post(f"/t/{world['idea_thread']}/reply", data={"body": "Cheaper elsewhere, I hear"})
    assert client.get(f"/composer/drafts/reply:{world['idea_thread']}").status_code == 204


def test_a_new_thread_or_idea_ends_its_draft(app, client, auth, world):
    auth.login("lilei")
    _put(client, f"thread:{world['board']}", "Opening words")
    _put(client, "idea:new", "Idea words")
    assert client.post("/b/band/new", data={"title": "A new topic", "body": "Opening words"}
                       ).status_code == 302
    assert client.get(f"/composer/drafts/thread:{world['board']}").status_code == 204
    assert client.post("/b/band/ideas/new", data={"title": "Waterproof strap",
                                                   "body": "Idea words"}).status_code == 302
    assert client.get("/composer/drafts/idea:new").status_code == 204


def test_only_the_latest_50_drafts_are_kept(ctx, world):
    fan = make_user("busy")
    for n in range(53):
        drafts.save(fan, f"reply:{n + 1}", f"draft {n}", "/")
    kept = drafts.of_user(fan)
    assert len(kept) == 50 and kept[0].body == "draft 52"
    assert {d.body for d in kept}.isdisjoint({"draft 0", "draft 1", "draft 2"})
    assert db.session.query(Draft).count() == 50


def test_preview_renders_and_warns_before_posting(app, client, auth, world):
    app.config["LINKS_MIN_LEVEL"] = 9
    auth.login("hanmei")
    data = client.post("/composer/preview", json={"body": "**bold** @lilei https://x.example"}).get_json()
    assert "<strong>bold</strong>" in data["html"] and 'href="/u/lilei"' in data["html"]
    assert len(data["warnings"]) == 1 and "level 9" in data["warnings"][0]
    assert client.post("/composer/preview", json={"body": "<script>x</script> @lilei"}
                       ).get_json() == {"html": "<p>&lt;script&gt;x&lt;/script&gt; "
                                        '<a href="/u/lilei" class="mention" rel="nofollow ugc">'
                                        "@lilei</a></p>\n", "warnings": []}


def test_people_suggestions_put_followed_and_thread_posters_first(app, client, auth, world):
    with app.app_context():
        me = make_user("writer")
        for name in ("lina", "linda", "lily", "liam"):
            make_user(name)
        banned = make_user("lipton")
        db.session.execute(db.text("UPDATE users SET banned_at = CURRENT_TIMESTAMP WHERE id = :id"),
                           {"id": banned.id})
        db.session.commit()
        follows.follow(me, "user", make_user("lizzy").id)
        thread = forum.get_thread(world["thread"], me)
        forum.reply(thread, db.session.scalar(db.select(type(me)).filter_by(username="lily")), "hi")
    auth.login("writer")
    names = client.get(f"/composer/people?q=LI&thread={world['thread']}").get_json()["people"]
    assert names[:3] == ["lizzy", "lilei", "lily"]  # followed, then the thread's posters
    assert set(names) == {"lizzy", "lilei", "lily", "liam", "lina", "linda"}  # not banned, not me
    assert client.get("/composer/people?q=%25").get_json() == {"people": []}
    assert client.get("/composer/people?q=").get_json() == {"people": []}
