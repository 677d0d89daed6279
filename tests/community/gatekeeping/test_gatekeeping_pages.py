"""Spam at the door through the pages, on SQLite and PostgreSQL: a held post is seen by
its author (waiting for approval) and staff (the queue) and by nobody else on any page the
URL map has (walked as a visitor and as another fan, stored pages included) until staff
approve it in bulk; then it is on its thread, board and search like any post. Staff keep
the watched words at a page that refuses unsafe patterns."""

import re

import pytest
from gate_world import held_rows, level_up, notices, screens_on, watch
from helpers import PASSWORD, make_board, make_thread, make_user
from sqlalchemy import select

from community import search
from community.accounts import tokens
from community.accounts.models import User
from community.circles import service as circles
from community.circles import threads as circle_threads
from community.circles.models import Circle
from community.forum import service as forum
from community.forum.models import Board
from community.gatekeeping.models import WatchedWord
from community.ideas import service as ideas
from community.kernel.errors import HeldForApproval
from community.kernel.extensions import db

MARK = "zqxheldmark"
ARGUMENT = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?(?P<name>\w+)>")


@pytest.fixture
def world(app):
    screens_on(app)
    with app.app_context():
        staff = make_user("gatestaff", role="staff")
        owner = level_up(make_user("gateowner"))
        author = level_up(make_user("gateauthor"))
        make_user("gatereader")
        watch(staff, MARK, "hold")
        board = make_board("gate")
        thread = make_thread(board, owner, title="Paint questions", body="What primer?")
        idea = ideas.propose(board, owner, "A matte finish option", "Less shine, please.")
        circle = circles.create_circle(owner, "Painters", "painters", "We paint.", "interest",
                                       None, "open")
        circles.join(circle, author)
        circle_thread = circle_threads.create_thread(circle, owner, "Brushes", "Which ones?")
        return {"thread_id": thread.id, "idea_id": idea.id, "idea_thread": idea.thread_id,
                "circle": circle.slug, "circle_thread": circle_thread.id, "board": board.slug,
                "post_id": forum.first_post(thread).id, "username": "gateauthor"}


def _login(app, name):
    client = app.test_client()
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    return client


def _paths(app, world):
    ids = {"thread_id": world["thread_id"], "idea_id": world["idea_id"],
           "post_id": world["post_id"], "username": world["username"], "kind": "ideas",
           "key": world["board"]}
    paths = [f"/search?q={MARK}", f"/api/v1/search?q={MARK}", "/notifications"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or "logout" in rule.rule:
            continue

        def fill(match, rule=rule):
            name = match["name"]
            if name == "slug":
                return world["circle"] if rule.rule.startswith("/circles/") else world["board"]
            if name == "thread_id" and rule.rule.startswith("/circles/"):
                return str(world["circle_thread"])
            return str(ids[name])

        try:
            paths.append(ARGUMENT.sub(fill, rule.rule))
        except KeyError:
            continue  # an argument this world has nothing for (orders, trials, ...)
    return sorted(set(paths))


def _sweep(clients, paths, before=None):
    """How often each page shows MARK to each reader; with `before`, the same as then (a
    search page repeats its query: nothing more)."""
    seen = {}
    for who, client in clients.items():
        for path in paths:
            response = client.get(path)
            seen[who, path] = response.get_data(as_text=True).count(MARK)
            response.close()
            if before is not None:
                assert seen[who, path] == before[who, path], f"{who} sees the held post at {path}"
    return seen


def test_a_held_post_is_its_authors_and_staffs_alone_until_approved(app, world):
    paths = _paths(app, world)
    others = {"visitor": app.test_client(), "reader": _login(app, "gatereader")}
    before = _sweep(others, paths)  # pages stored before anything is held
    assert {p for (_w, p), n in before.items() if n} <= {p for p in paths if "search" in p}
    author = _login(app, "gateauthor")
    thread_path = f"/t/{world['thread_id']}"
    sent = author.post(f"{thread_path}/reply", data={"body": f"Try {MARK} primer",
                                                     "submit_token": "r1"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/me/waiting")
    sent = author.post(f"/b/{world['board']}/new", data={
        "title": f"Selling {MARK} kits", "body": "Cheap.", "submit_token": "t1"})
    assert sent.headers["Location"].endswith("/me/waiting")
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == world["board"]))
        circle = db.session.scalar(select(Circle).where(Circle.slug == world["circle"]))
        for call in (lambda u: ideas.propose(board, u, f"{MARK} idea title", "Body of it."),
                     lambda u: forum.reply(forum.get_thread(world["idea_thread"], u), u,
                                           f"On the idea: {MARK}"),
                     lambda u: circle_threads.create_thread(circle, u, f"{MARK} meetup",
                                                            "Come.")):
            with pytest.raises(HeldForApproval):
                call(_user("gateauthor"))
        search.drain()
    waiting = author.get("/me/waiting").get_data(as_text=True)
    assert waiting.count('data-testid="waiting"') == 5 and MARK in waiting
    # Its author sees it nowhere else either: the thread is as it was.
    assert MARK not in author.get(thread_path).get_data(as_text=True)
    _sweep(others, paths, before)

    staff = _login(app, "gatestaff")
    queue_page = staff.get("/mod/queue").get_data(as_text=True)
    assert queue_page.count('name="ids"') == 5 and MARK in queue_page
    assert others["reader"].get("/mod/queue").status_code == 403
    with app.app_context():
        ids = [h.id for h in held_rows()]
    done = staff.post("/mod/queue", data={"ids": [str(i) for i in ids], "decision": "approve"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Approved: 5." in done
    with app.app_context():
        search.drain()
        assert len(notices(_user("gateauthor").id, "post_approved")) == 5
    for client in others.values():
        assert f"Try {MARK} primer" in client.get(thread_path).get_data(as_text=True)
        assert f"Selling {MARK} kits" in client.get(f"/b/{world['board']}").get_data(as_text=True)
        found = client.get(f"/search?q={MARK}").get_data(as_text=True)
        assert f"Selling <mark>{MARK}</mark> kits" in found
    assert "Waiting for approval" not in author.get("/me/waiting").get_data(as_text=True)
    assert MARK in author.get("/notifications").get_data(as_text=True)


def test_bulk_reject_and_bad_picks(app, world):
    staff = _login(app, "gatestaff")
    author = _login(app, "gateauthor")
    author.post(f"/t/{world['thread_id']}/reply", data={"body": f"{MARK}!", "submit_token": "x"})
    with app.app_context():
        [held] = held_rows()
    assert staff.post("/mod/queue", data={"ids": ["1x"], "decision": "reject"}).status_code == 400
    answer = staff.post("/mod/queue", data={"decision": "reject"}, follow_redirects=True)
    assert "Pick at least one post." in answer.get_data(as_text=True)
    answer = staff.post("/mod/queue", data={"ids": [str(held.id)], "decision": "reject",
                                            "note": "Off topic."}, follow_redirects=True)
    assert "Rejected: 1." in answer.get_data(as_text=True)
    mine = author.get("/me/waiting", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "未通过" in mine and "Off topic." in mine
    assert MARK not in app.test_client().get(f"/t/{world['thread_id']}").get_data(as_text=True)


def test_staff_keep_watched_words_at_a_page_that_refuses_unsafe_patterns(app, world):
    staff = _login(app, "gatestaff")
    assert _login(app, "gatereader").get("/mod/watched-words").status_code == 403
    slow = staff.post("/mod/watched-words", data={"pattern": "(a|aa)+$", "is_regex": "y",
                                                  "action": "block"})
    assert slow.status_code == 422 and "too long" in slow.get_data(as_text=True)
    broken = staff.post("/mod/watched-words", data={"pattern": "(oops", "is_regex": "y",
                                                    "action": "block"},
                        headers={"Accept-Language": "zh"})
    assert broken.status_code == 422 and "不是有效的正则表达式" in broken.get_data(as_text=True)
    no_replacement = staff.post("/mod/watched-words", data={"pattern": "idiot",
                                                            "action": "replace"})
    assert no_replacement.status_code == 422
    for data in ({"pattern": "代购", "action": "block"},
                 {"pattern": r"加\s*微信", "is_regex": "y", "action": "hold"},
                 {"pattern": "idiot", "action": "replace", "replacement": "friend"}):
        assert staff.post("/mod/watched-words", data=data).status_code == 302
    page = staff.get("/mod/watched-words").get_data(as_text=True)
    assert "代购" in page and "friend" in page
    reader = _login(app, "gatereader")
    refused = reader.post(f"/t/{world['thread_id']}/reply", data={"body": "专业代购"})
    assert refused.status_code == 422 and "blocked word" in refused.get_data(as_text=True)
    with app.app_context():
        word_id = db.session.scalar(select(WatchedWord.id).where(WatchedWord.pattern == "代购"))
    assert staff.post(f"/mod/watched-words/{word_id}/delete").status_code == 302
    assert reader.post(f"/t/{world['thread_id']}/reply",
                       data={"body": "专业代购"}).status_code == 302


def _user(name):
    return db.session.scalar(select(User).where(User.username == name))


def test_the_api_answers_202_with_the_held_post(app, world):
    with app.app_context():
        token = tokens.create_token(_user("gateauthor"), "t")[1]
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    answer = client.post("/api/v1/ideas", headers=headers, json={
        "board": world["board"], "title": f"A {MARK} idea, please", "body": "It would help."})
    assert answer.status_code == 202
    with app.app_context():
        [held] = held_rows()
    assert answer.get_json() == {"held": {"id": held.id, "code": "held_for_approval",
                                          "message": answer.get_json()["held"]["message"]}}
    answer = client.post(f"/api/v1/circles/{world['circle']}/threads", headers=headers,
                         json={"title": f"{MARK} at noon", "body": "Bring paint."})
    assert answer.status_code == 202 and answer.get_json()["held"]["id"] == held.id + 1
    assert MARK not in client.get("/api/v1/ideas").get_data(as_text=True)
