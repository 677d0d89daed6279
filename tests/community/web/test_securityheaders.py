"""Security headers (community/web/securityheaders.py): every page of the app, its routes taken
from the URL map, carries the Content-Security-Policy and its companions, and holds to
that policy (no inline script, handler attribute, javascript: URL or inline style); pages
that need sign-in are never kept by a browser; HSTS only in production; page-cache hits
carry them all too."""

import re
from datetime import timedelta

import pytest
from helpers import (
    PASSWORD,
    TEST_CONFIG,
    make_board,
    make_campaign,
    make_product,
    make_thread,
    make_user,
)
from inlinecode import inline_code
from sqlalchemy import update

from app import create_app
from community.accounts import tokens
from community.accounts.models import User
from community.circles import events, threads
from community.circles import service as circles
from community.forum import service as forum
from community.ideas import service as ideas
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.messages import sending
from community.messages import service as messages
from community.reports import service as reports
from community.roadmap import notes as release_notes
from community.rounds import service as rounds
from community.web import markdown
from products.addresses import service as addresses
from products.orders import service as orders
from products.trials import service as trials

DIRECTIVES = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
              "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'")
COMPANIONS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
              "Referrer-Policy": "strict-origin-when-cross-origin",
              "Cross-Origin-Opener-Policy": "same-origin"}
# A table with aligned columns: Markdown's alignment used to be a style= attribute.
TABLE = "| left | middle | right |\n|:--|:-:|--:|\n| 1 | 2 | 3 |"
ARGUMENT = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?(?P<name>\w+)>")


@pytest.fixture
def world(sqlite_app):
    with sqlite_app.app_context():
        staff = make_user("staffer", role="admin")  # staff pages and admin pages too
        fan, author = make_user("reader"), make_user("author")
        with transaction():  # enough points to post tables, open circles and so on
            db.session.execute(update(User).values(points=100))
        fan, author = (db.session.get(User, u.id, populate_existing=True) for u in (fan, author))
        board = make_board("sweep")
        thread = make_thread(board, author, title="A thread to sweep")
        post = forum.reply(thread, fan, TABLE)
        idea = ideas.propose(board, author, "An idea for the sweep", TABLE)
        now = utcnow()
        round_ = rounds.create_round(board, staff, "A round", "brief", now - timedelta(hours=1),
                                     now + timedelta(days=2))
        product = make_product(board, staff, slug="sweep-product")
        campaign = make_campaign(product, staff)
        order, _ = orders.place_order(campaign.id, fan, campaign.tiers[0].id, 1, "sweep-1")
        circle = circles.create_circle(fan, "Open circle", "open-circle", "About it")
        circle_thread = threads.create_thread(circle, fan, "Circle plans", TABLE)
        event = events.create_event(circle, fan, "Meetup", "Come", "Somewhere",
                                    now + timedelta(days=2), now + timedelta(days=2, hours=2), 5)
        conversation, _ = messages.start(fan, ["author"])
        message = sending.send(conversation.id, author, "Look", ("campaign", campaign.id))
        reports.report("message", message.id, fan, "spam")
        reports.report("post", post.id, author, "spam")
        token = tokens.create_token(fan, "t")[1]
        note = release_notes.publish(staff, "Shipped", TABLE, [idea.id])
        address = addresses.add_address(fan, {"recipient": "Reader", "phone": "13812345678",
                                              "region": "Beijing", "city": "Beijing",
                                              "street": "1 Sweep Road"})
        ids = {"address_id": address.id, "thread_id": thread.id, "post_id": post.id, "idea_id": idea.id,
               "round_id": round_.id, "campaign_id": campaign.id, "event_id": event.id,
               "conversation_id": conversation.id, "target_kind": "post", "target_id": post.id,
               "username": "reader", "token": "no-such-token", "name": "none.png",
               "user_id": fan.id, "size": 32, "code": "52",
               "filename": "css/site.css", "order_id": order.id, "ref": "pi_dummy_unknown",
               "payment_id": 1, "review_id": 987654, "product_id": product.id, "update_id": 987654, "question_id": 987654,
               "note_id": note.id, "kind": "ideas", "key": board.slug, "place": f"reply:{thread.id}",
               "trial_id": trials.create_trial(
                   product, staff, "Sweep trial", "", 2, now + timedelta(days=1),
                   now + timedelta(days=9), questions_text="choice: Which? | a | b",
                   report_questions_text="rating: Sound").id}
        slugs = {"/circles/": circle.slug, "/products/": product.slug,
                 "/staff/products/": product.slug}
        return {"ids": ids, "slugs": slugs, "board": board.slug, "token": token,
                "circle_thread": circle_thread.id}


def _path(rule, world):
    def fill(match):
        name = match["name"]
        if name == "slug":
            return next((slug for prefix, slug in world["slugs"].items()
                         if rule.rule.startswith(prefix)), world["board"])
        if name == "thread_id" and rule.rule.startswith("/circles/"):
            return str(world["circle_thread"])
        return str(world["ids"][name])

    return ARGUMENT.sub(fill, rule.rule)


def _pages(app):
    return sorted((r for r in app.url_map.iter_rules()
                   if "GET" in r.methods and not r.rule.startswith("/api/")), key=str)


def _clients(app):
    visitor, fan, staff = app.test_client(), app.test_client(), app.test_client()
    for client, name in ((fan, "reader"), (staff, "staffer")):
        assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    return {"visitor": visitor, "fan": fan, "staff": staff}


def test_every_page_carries_the_policy_and_holds_to_it(sqlite_app, world):
    app = sqlite_app
    failures, pages = [], 0
    for who, client in _clients(app).items():
        for rule in _pages(app):
            path = _path(rule, world)
            with client.get(path) as response:  # closes files (static, uploads)
                body = response.get_data(as_text=True)  # streamed ones (CSV) too: read out
            if response.mimetype != "text/html":
                assert response.headers.get("X-Content-Type-Options") == "nosniff", path
                continue
            pages += response.status_code == 200
            policy = response.headers.get("Content-Security-Policy", "")
            missing = [d for d in DIRECTIVES if d not in policy.split("; ")]
            missing += [f"{k}: {v}" for k, v in COMPANIONS.items()
                        if k != "Referrer-Policy" and response.headers.get(k) != v]
            if missing:
                failures.append(f"{who} {path} {response.status_code}: lacks {missing}")
            found = inline_code(body)
            if found:
                failures.append(f"{who} {path}: the policy would refuse {sorted(set(found))}")
    assert failures == []
    assert pages > 60  # the sweep really rendered the pages, for all three readers


def test_a_page_from_the_cache_carries_the_headers_too(sqlite_app, world):
    clients = _clients(sqlite_app)
    for who in ("visitor", "fan"):
        first, hit = (clients[who].get(f"/ideas/{world['ids']['idea_id']}") for _ in range(2))
        assert first.headers.get("X-Page-Cache") == "miss", who
        assert hit.headers.get("X-Page-Cache") == "hit", who
        assert "script-src 'self'" in hit.headers["Content-Security-Policy"], who
        for name, value in COMPANIONS.items():
            assert hit.headers[name] == value, (who, name)


PRIVATE = ("/settings", "/conversations", "/notifications", "/me/preorders", "/feed",
           "/circles/mine")
STAFF = ("/mod/log", "/mod/reports", "/staff/jobs", "/staff/products/ready", "/admin/boards")


def test_pages_that_need_sign_in_are_never_kept(sqlite_app, world):
    clients = _clients(sqlite_app)
    for path in PRIVATE + STAFF:
        who = "staff" if path in STAFF else "fan"
        response = clients[who].get(path)
        assert response.status_code == 200, path
        assert response.headers.get("Cache-Control") == "no-store", path
    # Every page a visitor is sent to sign in for, from the URL map.
    needs_sign_in = []
    for rule in _pages(sqlite_app):
        path = _path(rule, world)
        with clients["visitor"].get(path) as asked:
            sent_to_sign_in = "/login" in asked.headers.get("Location", "")
        if sent_to_sign_in:
            needs_sign_in.append(path)
            for who in ("fan", "staff"):
                with clients[who].get(path) as answer:
                    answer.get_data()  # streamed ones (CSV) too: read them out
                assert answer.headers.get("Cache-Control") == "no-store", (who, path)
    assert len(needs_sign_in) > 20
    # An API answer to a token is a reader's own too.
    api = clients["visitor"].get("/api/v1/ideas",
                                 headers={"Authorization": f"Bearer {world['token']}"})
    assert api.status_code == 200 and api.headers.get("Cache-Control") == "no-store"


def test_shared_pages_and_visitors_pages_may_be_kept(sqlite_app, world):
    clients = _clients(sqlite_app)
    for who in ("visitor", "fan"):  # one copy for all fans: nothing of theirs but holes
        for path in ("/", "/ideas", f"/ideas/{world['ids']['idea_id']}", "/products/sweep-product"):
            response = clients[who].get(path)
            assert response.status_code == 200, path
            assert "no-store" not in response.headers.get("Cache-Control", ""), (who, path)
            # A cache in front of the site must keep one copy per language and session.
            assert "Accept-Language" in response.vary and "Cookie" in response.vary, (who, path)
    # A page anyone may see is the fan's own once signed in (theirs alone: not shared).
    assert clients["fan"].get("/u/reader").headers.get("Cache-Control") == "no-store"
    assert "Cache-Control" not in clients["visitor"].get("/u/reader").headers
    # Language by the browser's header alone, as a proxy would see it: the answers differ.
    fresh = sqlite_app.test_client()
    zh, en = (fresh.get("/ideas", headers={"Accept-Language": lang}) for lang in ("zh-CN", "en"))
    assert zh.get_data() != en.get_data() and "accept-language" in zh.vary


def test_a_view_keeps_its_own_referrer_policy(sqlite_app):
    response = sqlite_app.test_client().get("/reset-password/nonsense")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("env", ["production", "development"])
def test_hsts_only_in_production(tmp_path, env):
    app = create_app(dict(TEST_CONFIG, ENV=env, SITE_URL="https://fans.example.com",
                          PAYMENTS_PROVIDER="stripe",
                          SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/h.sqlite3"))
    with app.app_context():
        db.create_all()
    # Production answers only its own host.
    response = app.test_client().get("/login", base_url="https://fans.example.com")
    policy = response.headers["Content-Security-Policy"].split("; ")
    if env == "production":
        assert response.headers["Strict-Transport-Security"] == \
            "max-age=31536000; includeSubDomains"
        assert "upgrade-insecure-requests" in policy and "img-src 'self' https:" in policy
    else:
        assert "Strict-Transport-Security" not in response.headers
        assert "upgrade-insecure-requests" not in policy
    with app.app_context():
        db.engine.dispose()


def test_markdown_tables_align_by_class():
    html = markdown.render(TABLE)
    assert 'class="align-left"' in html and 'class="align-right"' in html
    assert "style=" not in html


def test_a_shared_pages_error_answer_to_a_fan_is_not_kept(client, auth):
    """Only a shared page's 200 is shared: its 404 or 400 is drawn for its reader (their
    header and CSRF token), so no browser or proxy may keep it."""
    with client.application.app_context():
        make_user("lilei")
    auth.login("lilei")
    for path in ("/t/999999", "/ideas/999999", "/ideas?page=x"):
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert response.headers["Cache-Control"] == "no-store", path
