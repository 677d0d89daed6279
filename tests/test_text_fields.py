"""Every text a request carries reaches the database without control or bidi-override
characters: plain form and query fields through one reader (community/web/http.py
`text_arg`), forms through the forms base, JSON through the API's reader. A NUL in a
message body, a reason or a comment was a 500 on PostgreSQL. Routes come from the URL map
and the API's document, so a new one is walked the day it is added. SQLite and PostgreSQL.

Names typed in another case or width (`ＡＬＩＣＥ`) find the same account everywhere."""

import re
from pathlib import Path

import pytest
from argreads import arguments_read
from helpers import PASSWORD, make_user
from sqlalchemy import String, Text, select
from test_request_input import _paths, build_world
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField

from community.accounts.models import User
from community.kernel.extensions import db
from community.messages import sending
from community.messages import service as messages
from community.messages.models import Conversation, Message, Participant
from community.web.forms import Form

ROOT = Path(__file__).resolve().parent.parent
NAME = "roamers"
BAD = ("\x00", "\u202e", "\u2066", "\x1b", "\x85")
DIRT = "\x00\u202e\u2066\x1b\x85"
# Free text, marked so the walk can tell which columns it reached.
DIRTY = "Zq mark\x00 line\r\nnext \u202egnp.exe\u2066 end\x1b"
# Text fields whose value must be one of a few (a kind, a slug, a name): dirt goes inside
# a valid value, so the cleaned value passes and the view goes on to store what it stores.
VALID = {"kind": "idea", "place": "conversation:1", "medal": "community_hero", "tier": "1",
         "quantity": "1", "id": "1", "source_kind": "product", "locale": "en",
         "usernames": "friend", "participants": "friend", "board": NAME, "slug": NAME,
         "vote": "1", "liked": "1", "muted": "1", "direction": "up", "visibility": "open",
         "status": "planned", "stage": "idea", "starts_at": "2030-01-01T10:00",
         "ends_at": "2030-01-02T10:00", "idempotency_key": "key-1", "login": NAME}


def _dirty(name):
    value = VALID.get(name)
    return DIRTY if value is None else value[:1] + DIRT + value[1:]


def _text_fields():
    """Every text field a view reads: the forms' string fields and text_arg/form_text names."""
    fields, forms = set(), [Form]
    while forms:
        form = forms.pop()
        forms.extend(form.__subclasses__())
        for name in dir(form):
            field = getattr(form, name, None)
            if isinstance(field, UnboundField) and issubclass(
                    field.field_class, StringField | TextAreaField) \
                    and not issubclass(field.field_class, PasswordField):
                fields.add(name)
    call = re.compile(r"""(?:text_arg|form_text)\(\s*f?["']([\w-]+)""")
    for package in ("community", "products"):
        for source in (ROOT / package).rglob("*.py"):
            fields.update(call.findall(source.read_text()))
    return fields


def _stored_text():
    """(table.column, value) of every string column of every table."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                for value in db.session.scalars(select(column)):
                    if value:
                        yield f"{table.name}.{column.name}", value


@pytest.fixture
def world(app):
    # A message from the friend, so reporting one is reached too.
    return build_world(app, lambda _user, friend, conversation: sending.send(
        conversation.id, friend, "something to report"))


def _last(path):
    # Leaving, deleting and cancelling last, so what they end is walked first.
    return bool(re.search(r"leave|delete|cancel|revoke|block|remove", path))


@pytest.mark.long
def test_every_form_post_stores_text_without_control_characters(app, world):
    client, _bearer = world
    data = {name: _dirty(name) for name in _text_fields()}
    assert {"body", "reason", "comment", "usernames", "title", "name"} <= set(data)
    failures = []
    paths = [p for _m, p in _paths(app, {"POST"}) if not p.startswith("/api/")
             and p != "/logout"]
    assert len(paths) > 60
    for path in sorted(paths, key=_last):
        try:
            response = client.post(path, data=data)
            response.close()
        except Exception as error:  # the test client raises what a server answers 500 to
            failures.append(f"POST {path}: {error!r}"[:300])
            continue
        if response.status_code >= 500:
            failures.append(f"POST {path}: {response.status_code}")
    assert failures == []
    with app.app_context():
        stored = list(_stored_text())
    assert [(where, value) for where, value in stored if any(c in value for c in BAD)] == []
    reached = {where for where, value in stored if "Zq mark" in value}
    assert {"messages.body", "user_medals.reason",
            "posts.body", "threads.title"} <= reached, reached


def _example(schema, components, name=None):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "object":
        return {key: _example(value, components, key)
                for key, value in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(schema.get("items", {}), components, name)]
    if kind == "integer":
        return 1
    if kind == "boolean":
        return True
    if "enum" in schema:
        first = str(schema["enum"][0])
        return first[:1] + DIRT + first[1:]
    if name == "password":
        return PASSWORD
    return _dirty("participants" if name == "participants" else name)


@pytest.mark.long
def test_every_api_write_stores_text_without_control_characters(app, world):
    client, bearer = world
    document = client.get("/api/v1/openapi.json").get_json()
    components = document["components"]["schemas"]
    failures, sent, answers = [], 0, {}
    operations = [(path, method, operation) for path, methods in document["paths"].items()
                  for method, operation in methods.items() if method in ("post", "put", "patch")]
    for path, method, operation in sorted(operations, key=lambda o: _last(o[0])):
        schema = (operation.get("requestBody") or {}).get("content", {}) \
            .get("application/json", {}).get("schema", {})
        body = _example(schema, components) if schema else {}
        url = re.sub(r"\{(\w+)\}", lambda m: "1" if m[1].endswith("id") else NAME, path)
        try:
            response = client.open(url, method=method.upper(), json=body, headers=bearer)
            response.close()
        except Exception as error:
            failures.append(f"{method} {url}: {error!r}"[:300])
            continue
        sent += 1
        answers[url] = (response.status_code, response.get_json())
        if response.status_code >= 500:
            failures.append(f"{method} {url}: {response.status_code}")
    assert sent > 15 and failures == []
    with app.app_context():
        stored = list(_stored_text())
    assert [(where, value) for where, value in stored if any(c in value for c in BAD)] == []
    reached = {where for where, value in stored if "Zq mark" in value}
    assert {"messages.body", "threads.title", "circle_events.title", "conversations.title",
            "idea_status_changes.response"} <= reached, (reached, answers)


@pytest.mark.long
def test_query_text_with_nul_is_no_500(app, world):
    """A NUL in a query string's text (a search, a city, a tag) never reaches PostgreSQL."""
    client, bearer = world
    failures = []
    names = {"q", "city", "tag", "kind", "board", "type", "stage", "status", "title",
             "before", "ref", "to"}
    read = {path: arguments_read(app, client, bearer, method, path, names)
            for method, path in _paths(app, {"GET"})}
    assert "q" in read["/search"] and "ref" in read["/search"]
    for path, found in read.items():
        for name in sorted(found):
            try:
                response = client.get(path, query_string={name: "a\x00\u202eb"},
                                      headers=bearer if path.startswith("/api/") else None)
                response.get_data()
                response.close()
            except Exception as error:
                failures.append(f"GET {path}?{name}: {error!r}"[:300])
                continue
            if response.status_code >= 500:
                failures.append(f"GET {path}?{name}: {response.status_code}")
    assert failures == []


def test_a_message_body_with_nul_is_stored_clean(app, client, auth):
    with app.app_context():
        make_user("alice"), make_user("bob")
        conversation, _new = messages.start(make_user("carol"), ["alice", "bob"])
    auth.login("alice")
    response = client.post(f"/conversations/{conversation.id}/messages",
                           data={"body": "hi\x00 there\r\n\u202eevil"})
    assert response.status_code == 302
    with app.app_context():
        body = db.session.scalars(select(Message.body).order_by(Message.id.desc())).first()
    assert body.replace("\r\n", "\n") == "hi there\nevil"


def test_only_the_request_helpers_read_request_fields():
    """Views read text through text_arg/form_text (and numbers through int_arg), so no
    field reaches a service uncleaned; presence tests (`in request.args`) are fine."""
    readers = []
    pattern = re.compile(r"request\.(?:form|values|args)\s*(?:\.get\b|\[|$)")
    for package in ("community", "products"):
        for source in (ROOT / package).rglob("*.py"):
            if source == ROOT / "community" / "web" / "http.py":
                continue
            for number, line in enumerate(source.read_text().splitlines(), 1):
                if pattern.search(line.split("#")[0]):
                    readers.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert readers == []


# ---- names in another case or width -------------------------------------------------

def test_a_conversation_started_with_a_fullwidth_name_finds_the_account(app, client, auth):
    with app.app_context():
        alice = make_user("alice")
        make_user("bob")
    auth.login("bob")
    started = client.post("/conversations/new", data={"participants": "ＡＬＩＣＥ"})
    assert started.status_code == 302, started.get_data(as_text=True)
    with app.app_context():
        conversation_id = db.session.scalar(select(Conversation.id))
        members = db.session.scalars(select(Participant.user_id)).all()
        assert alice.id in members
    again = client.post("/u/ＡＬＩＣＥ/message")  # the same direct conversation
    assert again.headers["Location"] == f"/conversations/{conversation_id}"


@pytest.mark.parametrize("name", ["ali\x00ce", "ali\u202ece", "ali\r\nce", "\u2066alice"])
def test_flask_users_create_refuses_names_with_control_characters(app, runner, name):
    result = runner.invoke(args=["users", "create", name, "--email", "a@example.com",
                                 "--password", PASSWORD])
    assert result.exit_code != 0
    assert "Use 2-32 letters, digits, '_' or '-' for the username." in result.output
    with app.app_context():
        assert db.session.scalars(select(User.username)).all() == []
