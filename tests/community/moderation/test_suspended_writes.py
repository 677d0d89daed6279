"""A suspended member reads but writes nothing: every write route of the app's URL map
(pages and API, any method but GET/HEAD/OPTIONS) answers 403 with the suspension's notice,
except the few that guard.ALLOWED lists with a reason. Routes come from the URL map, so
a write route added tomorrow is refused (or must be listed) the day it is added."""

import itertools
import re

import pytest
from helpers import PASSWORD, make_board, make_thread, make_user
from sqlalchemy import func, select

from community.accounts import tokens
from community.forum.models import Post
from community.ideas.models import Idea
from community.kernel.extensions import db
from community.moderation import guard, service

READS = {"GET", "HEAD", "OPTIONS"}
ARGUMENT = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def _paths(rule):
    """The rule with each argument filled in (every choice of an any(...))."""
    options = []
    for match in ARGUMENT.finditer(rule.rule):
        if match["conv"] == "any":
            options.append([o.strip().strip("'\"") for o in match["args"].split(",")])
        elif match["conv"] == "int":
            options.append(["1"])
        else:
            options.append(["hide" if match["name"] == "action" else "x"])
    for picks in itertools.product(*options):
        values = iter(picks)
        yield ARGUMENT.sub(lambda _m, v=values: next(v), rule.rule)


@pytest.fixture
def suspended(sqlite_app):
    with sqlite_app.app_context():
        fan, staff = make_user("quiet"), make_user("warden", role="staff")
        thread_id = make_thread(board=make_board(slug="lounge")).id
        service.suspend(fan, staff, "Spamming the lounge", "week")
        key = tokens.create_token(fan, "reader")[1]
    client = sqlite_app.test_client()
    assert client.post("/login", data={"login": "quiet", "password": PASSWORD}).status_code == 302
    return {"client": client, "key": key, "thread": thread_id}


def _counts():
    return (db.session.scalar(select(func.count()).select_from(Post)),
            db.session.scalar(select(func.count()).select_from(Idea)))


@pytest.mark.long
def test_every_write_route_refuses_a_suspended_member(sqlite_app, suspended):
    client, bearer = suspended["client"], {"Authorization": f"Bearer {suspended['key']}"}
    with sqlite_app.app_context():
        before = _counts()
    tried, failures = 0, []
    for rule in sqlite_app.url_map.iter_rules():
        writes = sorted(rule.methods - READS)
        if not writes or guard.allowed(rule.endpoint):
            continue
        api = rule.rule.startswith("/api/")
        for path, method in itertools.product(_paths(rule), writes):
            response = client.open(path, method=method, json={} if api else None,
                                   headers=bearer if api else {})
            tried += 1
            if response.status_code != 403:
                failures.append(f"{method} {path} -> {response.status_code}")
            elif api and response.get_json()["error"]["code"] != "suspended":
                failures.append(f"{method} {path}: {response.get_json()}")
            elif not api and "Spamming the lounge" not in response.get_data(as_text=True):
                failures.append(f"{method} {path}: no notice")
    assert failures == []
    assert tried > 150  # the walk really found the write routes
    with sqlite_app.app_context():
        assert _counts() == before


def test_the_allow_list_names_real_routes_and_says_why(sqlite_app):
    endpoints = {rule.endpoint for rule in sqlite_app.url_map.iter_rules()}
    assert set(guard.ALLOWED) <= endpoints
    assert all(len(reason) > 10 for reason in guard.ALLOWED.values())


def test_allowed_writes_and_reads_still_work(sqlite_app, suspended):
    client = suspended["client"]
    page = client.get(f"/t/{suspended['thread']}")
    assert page.status_code == 200
    assert client.post("/locale", data={"locale": "zh"}).status_code in (302, 303)
    assert client.post("/notifications/read").status_code in (200, 302, 303)
    assert client.post("/logout").status_code in (302, 303)


def test_the_api_refuses_writes_and_says_why(sqlite_app, suspended):
    client, bearer = suspended["client"], {"Authorization": f"Bearer {suspended['key']}"}
    response = client.post("/api/v1/ideas", json={"board": "lounge", "title": "More spam here",
                                                   "body": "buy"}, headers=bearer)
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "suspended" and "Spamming the lounge" in error["message"]
    standing = client.get("/api/v1/me/standing", headers=bearer).get_json()
    assert standing["suspended"] is True and standing["reason"] == "Spamming the lounge"
    assert standing["until"].endswith("Z") and standing["banned"] is False


def test_a_member_not_suspended_passes_the_guard(sqlite_app):
    with sqlite_app.app_context():
        make_user("chatty")
        thread_id = make_thread().id
    client = sqlite_app.test_client()
    client.post("/login", data={"login": "chatty", "password": PASSWORD})
    assert client.post(f"/t/{thread_id}/reply", data={"body": "hello"}).status_code == 302
