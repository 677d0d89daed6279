"""Control and bidi-override characters never reach a title, a name or any one-line field
(a form's or the API's): CR/LF, NUL (which PostgreSQL refuses) and U+202E are dropped.
Bodies keep their line breaks and lose the rest. On SQLite and PostgreSQL."""

from helpers import PASSWORD, make_board, make_user
from sqlalchemy import select

from community.accounts import tokens
from community.forum.models import Post, Thread
from community.ideas.models import Idea
from community.kernel.extensions import db
from community.kernel.plaintext import multi_line, single_line

DIRTY_TITLE = "Hello\r\nworld\x00 \u202egnp.exe\x1b[31m\x85 end"
DIRTY_BODY = "line one\r\nline two\x00\u202e\u2066 and\ttab\x07"
BAD = ("\x00", "\r", "\n", "\u202e", "\u2066", "\x1b", "\x85", "\x07")


def test_the_filters():
    assert single_line(DIRTY_TITLE) == "Hello  world gnp.exe[31m end"
    assert multi_line(DIRTY_BODY) == "line one\r\nline two and\ttab"
    assert single_line("שלום \u200f hello") == "שלום \u200f hello"  # a plain RLM stays
    assert single_line(None) is None


def test_a_thread_posted_through_the_form_keeps_no_control_characters(app, client, auth):
    with app.app_context():
        make_user("writer")
        make_board("chat")
    auth.login("writer")
    response = client.post("/b/chat/new", data={"title": DIRTY_TITLE, "body": DIRTY_BODY})
    assert response.status_code == 302
    with app.app_context():
        thread = db.session.scalars(select(Thread)).one()
        post = db.session.scalars(select(Post)).one()
        assert not any(c in thread.title for c in BAD)
        assert thread.title.startswith("Hello  world gnp.exe")
        assert "\x00" not in post.body and "\u202e" not in post.body
        assert post.body.replace("\r\n", "\n") == "line one\nline two and\ttab"


def test_the_api_cleans_its_fields_the_same_way(app, client):
    with app.app_context():
        user = make_user("writer")
        make_board("chat")
        token = tokens.create_token(user, "t")[1]
    response = client.post("/api/v1/ideas", headers={"Authorization": f"Bearer {token}"},
                           json={"board": "chat", "title": DIRTY_TITLE, "body": DIRTY_BODY})
    assert response.status_code == 201, response.get_json()
    assert not any(c in response.get_json()["title"] for c in BAD)
    with app.app_context():
        idea = db.session.scalars(select(Idea)).one()
        assert not any(c in idea.title for c in BAD)
        body = db.session.scalars(select(Post.body)).one()
        assert "\x00" not in body and "\u202e" not in body and "\n" in body


def test_a_password_is_taken_as_typed(app, client):
    with app.app_context():
        make_user("writer", password=PASSWORD + "\u202e")
    response = client.post("/api/v1/tokens", json={"username": "writer",
                                                   "password": PASSWORD + "\u202e", "name": "t"})
    assert response.status_code == 201, response.get_json()
