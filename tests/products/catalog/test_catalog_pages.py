from datetime import timedelta

import pytest
from catalog_factories import make_idea, make_product
from helpers import make_board, make_user
from sqlalchemy import func, select, update

from community.accounts.models import User
from community.ideas import service as ideas
from community.kernel.database import utcnow
from community.kernel.extensions import db
from products.catalog import catalog, participation, polls, promotion, stages
from products.catalog.models import Poll, Product

pytestmark = pytest.mark.one_database


@pytest.fixture
def world(app):
    """A board with two voted ideas by two fans, made into a product; staff, a fan who
    voted for one of its ideas (so may join it) and a fan who did not."""
    with app.app_context():
        board = make_board("band", "Band")
        staff = make_user("boss", role="staff")
        fan = make_user("fan")
        make_user("newcomer")
        lilei, han = make_user("lilei"), make_user("han")
        a = make_idea(board, lilei, "Two-week battery", votes=64)
        b = make_idea(board, han, "Swim tracking", votes=11)
        ideas.vote(b.id, fan)
        product = promotion.promote(staff, [a.id, b.id], "Band 9 Pro", "band-9-pro",
                                    "The band you asked for.", "Made **with** you.")
        return {"slug": product.slug, "thread": product.thread_id, "ideas": (a.id, b.id),
                "board": board.slug, "product": product.id}


def test_catalog_lists_products_by_stage(app, client, world):
    with app.app_context():
        staff = make_user(role="staff")
        stages.set_stage(make_product(staff=staff, name="Shipped Watch"), staff, "shipped")
    page = client.get("/products").get_data(as_text=True)
    concept = page.split('data-testid="stage-concept"')[1].split("</section>")[0]
    shipped = page.split('data-testid="stage-shipped"')[1].split("</section>")[0]
    assert "Band 9 Pro" in concept and "Shipped Watch" in shipped
    assert "Band 9 Pro" not in client.get("/products?stage=shipped").get_data(as_text=True)
    assert client.get("/products?stage=sold-out").status_code == 404
    assert 'href="/products"' in client.get("/").get_data(as_text=True)  # the nav link


def test_product_page_shows_ideas_cocreators_timeline_and_thread(client, world):
    page = client.get(f"/products/{world['slug']}").get_data(as_text=True)
    assert "Band 9 Pro" in page and "<strong>with</strong>" in page
    ideas = page.split('data-testid="origin-ideas"')[1].split("</section>")[0]
    a, b = world["ideas"]
    assert f'href="/ideas/{a}"' in ideas and "64 votes" in ideas and "12 votes" in ideas
    assert ideas.index("Two-week battery") < ideas.index("Swim tracking")
    cocreators = page.split('data-testid="cocreators"')[1].split("</section>")[0]
    assert "2 co-creators" in cocreators and "lilei" in cocreators and "han" in cocreators
    assert 'data-stage="concept"' in page.split('data-testid="stage-timeline"')[1]
    assert f'href="/t/{world["thread"]}"' in page
    assert 'data-testid="campaign-slot"' not in page
    assert client.get("/products/no-such-thing").status_code == 404


def test_fans_join_once_and_are_credited(app, client, auth, world):
    url = f"/products/{world['slug']}"
    assert client.post(url + "/join").headers["Location"].startswith("/login")
    auth.login("fan")
    assert 'data-testid="join-product"' in client.get(url).get_data(as_text=True)
    assert client.post(url + "/join").headers["Location"] == url
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="cocreator-badge"' in page and "3 co-creators" in page
    client.post(url + "/join")
    assert "You are already a co-creator" in client.get(url).get_data(as_text=True)
    with app.app_context():
        assert catalog.get_product(world["slug"]).cocreator_count == 3
    # Back to where the button was, but never off the site.
    thread = f"/t/{world['thread']}"
    assert client.post(url + "/join", data={"next": thread}).headers["Location"] == thread
    assert client.post(url + "/join", data={"next": "//evil.example"}).headers["Location"] == url


def test_poll_votes_and_results_through_the_page(app, client, auth, world):
    url = f"/products/{world['slug']}"
    with app.app_context():
        product = catalog.get_product(world["slug"])
        staff = db.session.get(User, product.created_by_id)
        poll = polls.create_poll(product, staff, "Which strap?", ["Silicone", "Leather"],
                                 utcnow() + timedelta(days=1))
        poll_id, option = poll.id, poll.options[0].id
    auth.login("fan")
    page = client.get(url).get_data(as_text=True)
    assert "Which strap?" in page and 'data-testid="poll-form"' not in page
    client.post(f"{url}/polls/{poll_id}/vote", data={"option": option})
    assert "Only the product" in client.get(url).get_data(as_text=True)
    client.post(url + "/join")
    assert 'data-testid="poll-form"' in client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/polls/{poll_id}/vote", data={"option": option})
    assert response.headers["Location"] == f"{url}#poll-{poll_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="poll-voted"' in page and 'data-testid="poll-results"' not in page
    auth.logout()
    auth.login("boss")
    assert 'data-testid="poll-results"' in client.get(url).get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(Poll).values(ends_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    response = client.post(f"/staff/products/{world['slug']}/polls/{poll_id}/decision",
                           data={"decision": "Silicone it is."})
    assert response.status_code == 302
    auth.logout()
    page = client.get(url).get_data(as_text=True)
    results = page.split('data-testid="poll-results"')[1].split("</ul>")[0]
    assert "Silicone" in results and "1 · 100%" in results
    assert "Silicone it is." in page.split('data-testid="poll-decision"')[1]


STAFF_GETS = ["/staff/products/ready", "/staff/products/band-9-pro"]
STAFF_POSTS = [
    ("/staff/products/boards/band/threshold", {"threshold": "3"}),
    ("/staff/products/promote", {"name": "X", "slug": "x", "summary": "x", "more_ideas": "1"}),
    ("/staff/products/band-9-pro/stage", {"stage": "preorder"}),
    ("/staff/products/band-9-pro/images", {}),
    ("/staff/products/band-9-pro/images/1/delete", {}),
    ("/staff/products/band-9-pro/polls", {"question": "Q?", "options": "a\nb",
                                          "ends_at": "2099-01-01T10:00"}),
    ("/staff/products/band-9-pro/polls/1/decision", {"decision": "x"}),
]


@pytest.mark.parametrize("path", STAFF_GETS)
def test_staff_pages_are_for_staff(client, auth, world, path):
    assert client.get(path).headers["Location"].startswith("/login")
    auth.login("fan")
    assert client.get(path).status_code == 403
    auth.logout()
    auth.login("boss")
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("path", "data"), STAFF_POSTS)
def test_staff_actions_are_for_staff(app, client, auth, world, path, data):
    assert client.post(path, data=data).headers["Location"].startswith("/login")
    auth.login("fan")
    assert client.post(path, data=data).status_code == 403
    with app.app_context():
        product = catalog.get_product("band-9-pro")
        assert product.stage == "concept"
        assert db.session.scalar(select(func.count(Poll.id))) == 0
        assert promotion.threshold_of(product.board_id) == 50


def test_staff_promote_from_the_ready_list(app, client, auth, world):
    with app.app_context():
        board = make_board("watch", "Watch")
        ready = make_idea(board, make_user(), "Sleep apnea alerts", votes=3)
    auth.login("boss")
    client.post("/staff/products/boards/watch/threshold", data={"threshold": "3"})
    page = client.get("/staff/products/ready").get_data(as_text=True)
    assert "Sleep apnea alerts" in page and 'value="3"' in page
    assert "Two-week battery" not in page  # already a product
    form = {"ideas": [ready.id], "name": "Watch S", "slug": "Watch-S", "summary": "Sleep well."}
    response = client.post("/staff/products/promote", data=form)
    assert response.status_code == 422 and "lower-case" in response.get_data(as_text=True)
    assert 'checked' in response.get_data(as_text=True)  # the picks survive the error
    with app.app_context():
        assert db.session.scalar(select(func.count(Product.id))) == 1
    form["slug"] = "watch-s"
    response = client.post("/staff/products/promote", data=form)
    assert response.headers["Location"] == "/staff/products/watch-s"
    manage = client.get("/staff/products/watch-s").get_data(as_text=True)
    assert "Watch S" in manage
    response = client.post("/staff/products/watch-s/stage",
                           data={"stage": "co_creation", "note": "Design with us."})
    assert response.status_code == 302
    assert "Design with us." in client.get("/products/watch-s").get_data(as_text=True)
    response = client.post("/staff/products/watch-s/stage", data={"stage": "co_creation"})
    assert response.status_code == 422 and "already at that stage" in response.get_data(as_text=True)
    ends = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT10:00")
    response = client.post("/staff/products/watch-s/polls", data={
        "question": "Which colour?", "options": "Black\nOrange\n", "ends_at": ends})
    assert response.status_code == 302
    with app.app_context():
        poll = db.session.scalar(select(Poll))
        assert poll.ends_at.hour == 2  # typed in Asia/Shanghai, stored in UTC
    response = client.post("/staff/products/watch-s/polls",
                           data={"question": "Q?", "options": "only one", "ends_at": ends})
    assert response.status_code == 422 and "from 2 to 6 options" in response.get_data(as_text=True)


def test_panels_on_the_idea_page_and_the_participation_thread(app, client, auth, world):
    a, _b = world["ideas"]
    page = client.get(f"/ideas/{a}").get_data(as_text=True)
    panel = page.split('data-testid="idea-product"')[1].split("</div>")[0]
    assert "This idea became" in panel and f'href="/products/{world["slug"]}"' in panel
    with app.app_context():
        plain = make_idea()
    assert 'data-testid="idea-product"' not in client.get(f"/ideas/{plain.id}").get_data(True)
    thread = f"/t/{world['thread']}"
    page = client.get(thread).get_data(as_text=True)
    assert 'data-testid="thread-product"' in page and "Sign in to join" in page
    auth.login("fan")
    page = client.get(thread).get_data(as_text=True)
    assert 'data-testid="join-product"' in page
    assert f'name="next" value="{thread}"' in page
    client.post(f"/products/{world['slug']}/join", data={"next": thread})
    assert 'data-testid="cocreator-badge"' in client.get(thread).get_data(as_text=True)
    # The participation thread is a listed forum thread of the board.
    assert thread in client.get(f"/b/{world['board']}").get_data(as_text=True)


def _count_statements(app, client, url):
    from catalog_factories import statements

    client.get(url)  # warm: the first request loads the locale and the like
    with statements() as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def _fill(n):
    """n products, and one of them with n ideas, n co-creators and n polls."""
    staff = make_user(role="staff")
    board = make_board()
    promotion.set_threshold(board, staff, 1)
    ideas = [make_idea(board, make_user(), votes=5) for _ in range(n)]
    big = promotion.promote(staff, [i.id for i in ideas], "Big", f"big-{n}", "Big one.")
    for _ in range(n):
        participation.grant(big, staff, make_user().username)
        polls.create_poll(big, staff, "Q?", ["a", "b"], utcnow() + timedelta(days=1))
    for _ in range(n - 1):
        make_product(staff=staff)
    for _ in range(n):
        make_idea(board, votes=5)  # ready for review
    db.session.execute(update(Poll).where(Poll.id % 2 == 0)
                       .values(ends_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    return big.slug


def _measure(app, client, auth, slug):
    """Statements per page, for a visitor, a fan and staff."""
    counts = {}
    for login in (None, "fan", "boss"):
        auth.logout()
        if login:
            auth.login(login)
        urls = ["/products", f"/products/{slug}"]
        if login == "boss":
            urls += ["/staff/products/ready", f"/staff/products/{slug}"]
        for n, url in enumerate(urls):
            counts[login, n] = _count_statements(app, client, url)
    return counts


@pytest.mark.long
def test_pages_cost_the_same_with_5_or_20_items(app, client, auth):
    from products.catalog import views_counter

    views_counter.counter(app).flush_seconds = 1e9  # no batch write in the middle
    with app.app_context():
        make_user("fan")
        make_user("boss", role="staff")
        small = _fill(5)
    few = _measure(app, client, auth, small)
    with app.app_context():
        big = _fill(20)  # enough for a statement per item to show
    assert _measure(app, client, auth, big) == few


def test_every_form_carries_a_csrf_token(app, client, auth, world):
    import re

    with app.app_context():
        product = catalog.get_product(world["slug"])
        polls.create_poll(product, db.session.get(User, product.created_by_id), "Q?", ["a", "b"],
                          utcnow() + timedelta(days=1))
    pages = {"fan": [f"/products/{world['slug']}", f"/t/{world['thread']}"],
             "boss": ["/staff/products/ready", f"/staff/products/{world['slug']}"]}
    for login, urls in pages.items():
        app.config["WTF_CSRF_ENABLED"] = False  # signing in is not what this test is about
        auth.logout()
        auth.login(login)
        app.config["WTF_CSRF_ENABLED"] = True
        assert client.post(f"/products/{world['slug']}/join").status_code == 400
        for url in urls:
            page = client.get(url).get_data(as_text=True)
            forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", page, re.S)
            assert forms, url
            for form in forms:
                assert 'name="csrf_token"' in form, (url, form[:120])


def test_a_bare_product_still_renders(app, client):
    from helpers import make_product as make_bare_product

    with app.app_context():
        product = make_bare_product(cocreators=[make_user()])
        slug, thread = product.slug, product.thread_id
    assert client.get(f"/products/{slug}").status_code == 200
    assert client.get("/products").status_code == 200
    assert 'data-testid="thread-product"' in client.get(f"/t/{thread}").get_data(as_text=True)
