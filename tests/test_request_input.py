"""Odd input answers a clear 4xx, never a 500 or an off-site redirect: numbers in other
digits or out of bounds (every route of the URL map, every query argument that takes a
number), JSON nested too deep or too large, bodies past the size limit, and `next` with
control characters or another host (every view that reads `next`)."""

import itertools
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from argreads import arguments_read
from helpers import PASSWORD, make_board, make_campaign, make_product, make_thread, make_user
from sqlalchemy import update

from community.accounts import tokens
from community.accounts.models import User
from community.circles import service as circles
from community.ideas import service as ideas
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.messages import service as messages

ROOT = Path(__file__).resolve().parent.parent
# Every name below is "roamers" (user, board, circle, product) and every object is the
# first of its table, so a route's own lookup passes and its number parsing is reached.
NAME = "roamers"
BAD_NUMBERS = ["²", "٣", "-1", "1e3", str(10**25), "1\n"]
ARGUMENT = re.compile(r"<(?:any\((?P<any>[^)]*)\):|[a-z]+(?:\([^)]*\))?:)?(?P<name>\w+)>")


def build_world(app, then=None):
    """One of everything a route looks up, named NAME and owned by a staff member NAME,
    with a conversation with a friend; `then(user, friend, conversation)` adds more in
    the same app context. Returns the staff member's signed-in client and bearer headers
    (the route walks here and in test_text_fields.py)."""
    with app.app_context():
        user, friend = make_user(NAME, role="staff"), make_user("friend")
        with transaction():  # starting a circle needs a level
            db.session.execute(update(User).values(points=100))
        user = db.session.get(User, user.id, populate_existing=True)
        board = make_board(NAME)
        make_thread(board, user, title="The first thread")
        ideas.propose(board, user, "An idea to count on", "b")
        circles.create_circle(user, "Roamers", NAME, "", "interest", None, "open")
        make_campaign(make_product(board, staff=user, slug=NAME), staff=user)
        conversation, _new = messages.start(user, ["friend"])
        if then is not None:
            then(user, friend, conversation)
        token = tokens.create_token(user, "t")[1]
    client = app.test_client()
    assert client.post("/login", data={"login": NAME, "password": PASSWORD}).status_code == 302
    return client, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(sqlite_app):
    return build_world(sqlite_app)


def _paths(app, methods):
    """(method, path) for every rule of the URL map, its arguments filled."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        options = [[o.strip() for o in m["any"].split(",")]
                   for m in ARGUMENT.finditer(rule.rule) if m["any"]]
        for choice in itertools.product(*options):
            picks = iter(choice)
            path = ARGUMENT.sub(lambda m, picks=picks: next(picks) if m["any"]
                                else "1" if "int:" in m[0] else NAME, rule.rule)
            for method in sorted(rule.methods & set(methods)):
                yield method, path


def _number_arguments(app):
    """Names of query arguments that take a number: those the code parses with the number
    helpers, and the integer parameters of the API's document."""
    names = {"page", "per_page"}
    call = re.compile(r"(?:int_arg|_positive_int|page_arg)\(\s*\"(\w+)\"")
    for package in ("community", "products"):
        for source in (ROOT / package).rglob("*.py"):
            names.update(call.findall(source.read_text()))
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for operations in document["paths"].values():
        for operation in operations.values():
            names.update(p["name"] for p in operation.get("parameters", ())
                         if p["in"] == "query" and p["schema"].get("type") == "integer")
    return names


def _with(path, name, value):
    return f"{path}{'&' if '?' in path else '?'}{urlencode({name: value})}"


@pytest.mark.long
def test_every_number_argument_of_every_route_is_a_4xx(sqlite_app, world):
    client, bearer = world
    names = _number_arguments(sqlite_app)
    assert {"page", "per_page", "before", "after", "id", "round"} <= names
    paths = list(_paths(sqlite_app, {"GET"}))
    assert len(paths) > 70
    failures = []
    # Each route is tried with the bad numbers in the arguments it reads (asked once with
    # all of them): the other names it ignores cannot reach a parser.
    read = {(method, path): arguments_read(sqlite_app, client, bearer, method, path, names)
            for method, path in paths}
    assert sum(len(found) for found in read.values()) > 40
    assert "page" in read[("GET", "/ideas")] and "before" in read[("GET", "/latest")]
    for (method, path), found in read.items():
        for name, value in itertools.product(sorted(found), BAD_NUMBERS):
            response = client.open(path, method=method, query_string={name: value},
                                   headers=bearer if path.startswith("/api/") else None)
            response.get_data()
            response.close()
            if response.status_code >= 500:
                failures.append(f"{method} {path}?{name}={value!r}: {response.status_code}")
    assert failures == []


# One world for all of them (a world per case cost ~0.3 s each, 55 cases): refused reads
# change nothing, and each case is reported on its own.
PAGED = ["/ideas", "/t/1", f"/u/{NAME}", "/circles", "/search?q=idea", "/ideas/1/voters",
         "/ideas/shipped", f"/circles/{NAME}/members", "/me/preorders", "/conversations", "/mod/log"]
API_NUMBERS = [
    ("/api/v1/ideas", "page"), ("/api/v1/ideas", "per_page"), ("/api/v1/products", "page"),
    ("/api/v1/products", "per_page"), ("/api/v1/circles", "page"), ("/api/v1/search?q=x", "page"),
    ("/api/v1/conversations/1/messages", "after"),
]


def test_a_page_number_in_other_digits_or_out_of_bounds_is_a_400(world):
    client, _bearer = world
    failures = []
    for path, value in itertools.product(PAGED, ["²", "٣", "-1", "1e3", str(10**25)]):
        response = client.get(_with(path, "page", value))
        if response.status_code != 400 or \
                "The page number must be a positive whole number." not in response.get_data(as_text=True):
            failures.append(f"{path} page={value!r}: {response.status_code}")
    assert failures == []


def test_api_number_arguments_in_other_digits_are_a_400(world):
    client, bearer = world
    failures = []
    for (path, name), value in itertools.product(API_NUMBERS, ("²", "-1", "1e3", str(10**25))):
        response = client.get(_with(path, name, value), headers=bearer)
        error = (response.get_json() or {}).get("error") or {}
        if (response.status_code, error.get("code"), error.get("field")) != (400, "bad_query", name):
            failures.append(f"{path} {name}={value!r}: {response.status_code} {error}")
    assert failures == []


def test_cursors_and_ids_in_other_digits_are_a_400(world):
    client, _bearer = world
    for path in ("/notifications?before=²", "/conversations/1?before=²",
                 "/conversations/1/messages?after=²", "/share?kind=idea&id=²",
                 f"/b/{NAME}/ideas/new?round=²"):
        response = client.get(path)
        assert response.status_code == 400, path
    page = client.get("/share?kind=idea&id=²").get_data(as_text=True)
    assert "Say what to share." in page


def test_numbers_in_posted_forms_in_other_digits_are_refused(world):
    client, _bearer = world
    shared = client.post("/share", data={"kind": "idea", "id": "1", "place": "conversation:²"})
    assert shared.status_code == 422
    assert "Pick where to share it." in shared.get_data(as_text=True)
    assert client.post("/share", data={"kind": "idea", "id": "²",
                                       "place": "conversation:1"}).status_code == 400
    assert client.post(f"/circles/{NAME}/t/1/share",
                       data={"kind": "idea", "id": "²"}).status_code in (400, 404)
    ordered = client.post("/campaigns/1/preorder", data={"tier": "1", "quantity": "٣"})
    assert ordered.status_code == 302  # back to the page, with the form's message
    with client.session_transaction() as session:
        assert ("error", "Pick a tier and a quantity.") in session["_flashes"]


# ---- JSON bodies and request sizes --------------------------------------------------

def test_json_nested_a_thousand_deep_is_a_400_without_signing_in(sqlite_app):
    client = sqlite_app.test_client()
    for body in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000,
                 '{"username": ' + "[" * 40 + "]" * 40 + "}"):
        response = client.post("/api/v1/tokens", data=body, content_type="application/json")
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "bad_json"


def test_a_json_body_past_its_limit_is_a_413_in_json(sqlite_app):
    client = sqlite_app.test_client()
    body = '{"username": "x", "password": "' + "x" * (600 * 1024) + '"}'
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert response.get_json()["error"]["message"] == "What you sent is too large."


def test_a_body_past_the_request_limit_is_a_413_page(sqlite_app):
    client = sqlite_app.test_client()
    # Form-encoded: a multipart body this large sits in a temporary file that werkzeug's
    # test client never closes (a ResourceWarning in whichever test runs next).
    response = client.post("/login", data={"login": "x", "password": "y" * 10,
                                           "pad": "z" * 400_000, "pad2": "z" * 400_000,
                                           "pad3": "z" * 400_000})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "What you sent is too large." in response.get_data(as_text=True)


# ---- next ---------------------------------------------------------------------------

SAFE_NEXT = "/search?q=next-probe"
ATTACKS = ["https://evil.example/phish", "//evil.example/phish", "/\t/evil.example/phish",
           "/ideas\r\nSet-Cookie: x=1", "/\\evil.example", "https:evil.example"]


def test_only_the_safe_redirect_helper_reads_next():
    readers = []
    for package in ("community", "products"):
        for source in (ROOT / package).rglob("*.py"):
            if source == ROOT / "community" / "web" / "http.py":
                continue
            for number, line in enumerate(source.read_text().splitlines(), 1):
                if re.search(r"""["']next["']""", line):
                    readers.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert readers == []


def _off_site(location):
    parts = urlsplit(location)
    return (parts.netloc not in ("", "localhost") or location.startswith("//")
            or any(c in location for c in "\t\r\n\\"))


@pytest.mark.long
def test_every_view_refuses_next_off_site_or_with_control_characters(sqlite_app, world):
    """Every view is asked with a safe `next` and with the two attacks that reach furthest
    (a header split, another site); a view that follows the safe one gets every attack.
    Only the safe-redirect helper reads `next` (the test above), so a view that does not
    follow a safe `next` cannot follow an attack either."""
    client, _bearer = world
    failures, redirected, follows = [], set(), set()

    def ask(method, path, attack):
        data = {"next": attack, "vote": "1"}
        response = (client.get(path, query_string={"next": attack}) if method == "GET"
                    else client.post(path, data=data))
        response.get_data()  # a streamed answer (a CSV export) runs to its end here
        response.close()
        if response.status_code >= 500:
            failures.append(f"{method} {path} next={attack!r}: {response.status_code}")
        return response.headers.get("Location", "")

    for method, path in _paths(sqlite_app, {"GET", "POST"}):
        if path in ("/logout",):
            continue  # signing out would stop the walk's later requests
        if ask(method, path, SAFE_NEXT) == SAFE_NEXT:
            follows.add(path)
        for attack in (ATTACKS if path in follows else ATTACKS[:1] + ATTACKS[3:4]):
            location = ask(method, path, attack)
            if location and _off_site(location):
                failures.append(f"{method} {path} next={attack!r}: to {location}")
            elif location:
                redirected.add(path)
    assert failures == []
    assert {"/ideas/1/vote", "/login"} <= follows
    assert "/ideas/1/vote" in redirected


def test_a_vote_with_a_bad_next_goes_back_to_the_idea(world):
    client, _bearer = world
    for attack in ATTACKS:
        response = client.post("/ideas/1/vote", data={"vote": "1", "next": attack})
        assert (response.status_code, response.headers.get("Location")) == (302, "/ideas/1"), attack
        kept = client.post("/ideas/1/vote", data={"vote": "0", "next": "/ideas?sort=new"})
        assert kept.headers["Location"] == "/ideas?sort=new"


def test_ids_in_paths_are_ascii_digits(sqlite_app):
    """`<int:...>` takes ASCII digits only: /t/١ is not thread 1 under a second URL (and a
    second stored page)."""
    with sqlite_app.app_context():
        thread_id = make_thread().id
    client = sqlite_app.test_client()
    assert client.get(f"/t/{thread_id}").status_code == 200
    other_digits = str(thread_id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert client.get(f"/t/{other_digits}").status_code == 404
    assert client.get(f"/t/{str(thread_id).translate(str.maketrans('0123456789', '０１２３４５６７８９'))}").status_code == 404
