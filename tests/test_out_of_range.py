"""Numbers and dates no column can hold answer a 4xx, never a 500: every `<int:...>` route
with an id past 64 bits (found from the URL map, so a new route is covered), and ids and
dates in JSON bodies."""

import re

import pytest
from helpers import PASSWORD, make_user
from sqlalchemy import update
from werkzeug.routing import IntegerConverter

from community.accounts import tokens
from community.accounts.models import User
from community.circles import service as circles
from community.kernel.database import transaction
from community.kernel.extensions import db

HUGE = 10**25


@pytest.fixture
def signed_in(sqlite_app):
    with sqlite_app.app_context():
        fan, _friend = make_user("roamer"), make_user("friend")
        with transaction():  # starting a circle needs a level
            db.session.execute(update(User).values(points=100))
        fan = db.session.get(User, fan.id, populate_existing=True)
        circles.create_circle(fan, "Roamers", "roamers", "", "interest", None, "open")
        token = tokens.create_token(fan, "t")[1]
    client = sqlite_app.test_client()
    client.post("/login", data={"login": "roamer", "password": PASSWORD})
    return client, {"Authorization": f"Bearer {token}"}


def _urls_with_huge_ids(app):
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        path = re.sub(r"<int:\w+>", str(HUGE), rule.rule)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "roamers" if m.group(1) == "slug" else "x", path)
        # <any(a, b):name>: every option, so each action's view is reached.
        choices = re.search(r"<any\(([^)]*)\):\w+>", path)
        options = [o.strip() for o in choices.group(1).split(",")] if choices else [None]
        for option in options:
            url = path.replace(choices.group(0), option) if choices else path
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url


def test_every_int_route_refuses_an_id_past_64_bits(sqlite_app, signed_in):
    client, headers = signed_in
    tried = list(_urls_with_huge_ids(sqlite_app))
    assert len(tried) > 40  # the walk found the routes
    assert not [path for _method, path in tried if "<" in path]  # every argument filled
    failures = []
    for method, path in tried:
        response = client.open(path, method=method, headers=headers, json={})
        if response.status_code >= 500:
            failures.append(f"{method} {path}: {response.status_code}")
    assert failures == []


def test_ids_and_dates_out_of_range_in_json_bodies(sqlite_app, signed_in):
    client, headers = signed_in
    started = client.post("/api/v1/conversations", headers=headers,
                          json={"participants": ["friend"]})
    assert started.status_code == 201
    thread = client.post("/api/v1/circles/roamers/threads", headers=headers,
                        json={"title": "A thread title", "body": "b"})
    assert thread.status_code == 201
    event = client.post("/api/v1/circles/roamers/events", headers=headers, json={
        "title": "Far future", "description": "", "place": "Moon",
        "starts_at": "9999-12-31T23:59:59-05:00", "ends_at": "9999-12-31T23:59:59Z",
        "capacity": 5})
    assert 400 <= event.status_code < 500, event.get_json()
    assert "error" in event.get_json()
    preorder = client.post(f"/api/v1/campaigns/{HUGE}/preorders", headers=headers,
                           json={"tier": HUGE, "quantity": 1})
    assert 400 <= preorder.status_code < 500
    shared = client.post(f"/api/v1/conversations/{started.get_json()['id']}/messages",
                         headers=headers, json={"share": {"kind": "idea", "id": HUGE}})
    assert 400 <= shared.status_code < 500
