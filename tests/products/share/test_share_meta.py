"""Open Graph and Twitter card tags (templates/_macros/share.html) on the pages people share:
ideas, products, campaigns and circles. Links are on FANFORGE_SITE_URL whatever host the
request named, the tags are the same for every reader, and private things (a private
circle, a hidden idea, a draft campaign) carry none."""

import re
from html import unescape

import pytest
from helpers import PASSWORD, make_board, make_campaign, make_product, make_user
from sqlalchemy import update

from community.accounts.models import User
from community.circles import service as circles
from community.forum import moderation
from community.ideas import service as ideas
from community.kernel.database import transaction
from community.kernel.extensions import db
from products.catalog.models import ProductImage

pytestmark = pytest.mark.one_database

SITE = "http://fanforge.test"
META = re.compile(r'<meta (?:property|name)="((?:og|twitter):[\w:]+|description)" content="([^"]*)">')
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]*)">')
# A host the site answers for (tests: localhost), not the one its links are on.
OTHER_HOST = "http://localhost"


def tags(html):
    found = {name: unescape(value) for name, value in META.findall(html)}
    canonical = CANONICAL.findall(html)
    if canonical:
        found["canonical"] = canonical[0]
    return found


@pytest.fixture
def world(app):
    with app.app_context():
        author, staff = make_user("author"), make_user("staffer", role="staff")
        with transaction():  # enough points to open circles
            db.session.execute(update(User).values(points=100))
        author = db.session.get(User, author.id, populate_existing=True)
        board = make_board("share")
        long_body = "**Bold** words & <things>. " + "More words here. " * 40
        idea = ideas.propose(board, author, "Glow-in-the-dark keycaps", long_body)
        hidden = ideas.propose(board, author, "A hidden idea", "Secret body")
        moderation.set_thread_hidden(hidden.thread, staff, True, "spam")
        product = make_product(board, staff, slug="keycaps")
        with transaction():
            db.session.execute(update(type(product)).where(type(product).id == product.id)
                               .values(summary="Keycaps that glow"))
        bare = make_product(board, staff, slug="bare")
        with transaction():
            db.session.add(ProductImage(product_id=product.id, filename="ab" * 16 + ".png",
                                        content_type="image/png", size=10, position=0))
        campaign = make_campaign(product, staff)
        draft = make_campaign(bare, staff, publish=False)
        open_circle = circles.create_circle(author, "Night owls", "night-owls", "We stay up late")
        private = circles.create_circle(author, "Hush hush", "hush", "Nobody knows",
                                        visibility="private")
        return {"idea": idea.id, "hidden": hidden.id, "campaign": campaign.id,
                "draft": draft.id, "open": open_circle.slug, "private": private.slug}


def _get(client, path, base_url=OTHER_HOST):
    response = client.get(path, base_url=base_url)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_an_idea_page_carries_its_card(app, world, client):
    found = tags(_get(client, f"/ideas/{world['idea']}"))
    url = f"{SITE}/ideas/{world['idea']}"
    assert found["og:title"] == found["twitter:title"] == "Glow-in-the-dark keycaps"
    assert found["og:url"] == found["canonical"] == url
    assert found["og:type"] == "article" and found["og:site_name"] == "Fanforge"
    assert found["twitter:card"] == "summary_large_image"
    assert found["og:image"] == found["twitter:image"] == f"{SITE}/static/img/share-default.png"
    text = found["og:description"]
    assert text.startswith("Bold words & <things>. More words")  # plain text, no markup
    assert "<strong>" not in text and len(text) <= 200 and text.endswith("…")
    assert found["description"] == found["twitter:description"] == text


def test_a_product_page_shows_its_first_image(app, world, client):
    found = tags(_get(client, "/products/keycaps"))
    assert found["og:url"] == found["canonical"] == f"{SITE}/products/keycaps"
    assert found["og:image"] == f"{SITE}/uploads/{'ab' * 16}.png"
    assert found["og:description"] == "Keycaps that glow" and found["og:type"] == "product"
    bare = tags(_get(client, "/products/bare"))
    assert bare["og:image"] == f"{SITE}/static/img/share-default.png"


def test_a_campaign_and_an_open_circle_carry_theirs(app, world, client):
    found = tags(_get(client, f"/campaigns/{world['campaign']}"))
    assert found["og:url"] == f"{SITE}/campaigns/{world['campaign']}"
    assert found["og:image"] == f"{SITE}/uploads/{'ab' * 16}.png"
    assert found["og:title"].startswith("Product")
    circle = tags(_get(client, f"/circles/{world['open']}"))
    assert circle["og:title"] == "Night owls" and circle["og:description"] == "We stay up late"
    assert circle["og:url"] == circle["canonical"] == f"{SITE}/circles/night-owls"


def test_links_never_take_the_requests_host(app, world, client):
    for base in ("http://localhost", "http://127.0.0.1", SITE):
        found = tags(_get(client, f"/ideas/{world['idea']}", base_url=base))
        assert all(v.startswith(SITE + "/") for k, v in found.items()
                   if k in ("og:url", "og:image", "canonical", "twitter:image")), base


def test_private_things_carry_no_card(app, world, client, auth):
    auth.login("author")  # a member of the private circle, so its page shows
    assert tags(_get(client, "/circles/hush")) == {}
    auth.logout()
    auth.login("staffer")  # staff see hidden ideas and draft campaigns, unshared
    hidden = _get(client, f"/ideas/{world['hidden']}")
    assert "A hidden idea" in hidden and tags(hidden) == {}
    draft = _get(client, f"/campaigns/{world['draft']}")
    assert tags(draft) == {} and 'data-testid="share-poster"' not in hidden
    auth.logout()
    assert client.get("/circles/hush").status_code == 404
    assert client.get(f"/ideas/{world['hidden']}").status_code == 404


def test_the_card_is_the_same_for_every_reader(app, world):
    pages = {}
    for who in (None, "author", "staffer"):
        client = app.test_client()
        if who:
            assert client.post("/login", data={"login": who, "password": PASSWORD}
                               ).status_code == 302
        pages[who] = {path: tags(_get(client, path)) for path in (
            f"/ideas/{world['idea']}", "/products/keycaps", f"/campaigns/{world['campaign']}",
            "/circles/night-owls")}
    assert pages[None] == pages["author"] == pages["staffer"]
    assert all(pages[None].values())

