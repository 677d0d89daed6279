"""Share posters (products/share): a PNG of an idea or a product with its live figures and
a QR code of the share link, the sharer's referral code in it. Drawn once per figure
change and kept by content; a visitor's is everyone's and kept long, a fan's is theirs."""

import io
import os
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
import zxingcpp
from helpers import PASSWORD, make_board, make_campaign, make_product, make_user
from PIL import Image, ImageFont

from community.forum import moderation
from community.ideas import service as ideas
from products.orders import referrals
from products.orders import service as orders
from products.share import draw, store

pytestmark = pytest.mark.one_database

SITE = "http://fanforge.test"


@pytest.fixture
def posters(app, tmp_path, monkeypatch):
    """The poster folder in the test's own directory, and every drawing counted."""
    app.config["POSTER_DIR"] = str(tmp_path / "posters")
    drawn = []
    real = draw.render

    def counted(facts, link, language):
        drawn.append((facts, link, language))
        return real(facts, link, language)

    monkeypatch.setattr(draw, "render", counted)
    return drawn


@pytest.fixture
def world(app):
    with app.app_context():
        author, fan = make_user("author"), make_user("sharer")
        staff = make_user("staffer", role="staff")
        board = make_board("posters")
        idea = ideas.propose(board, author, "Glow-in-the-dark keycaps", "Body")
        hidden = ideas.propose(board, author, "A hidden idea", "Secret")
        moderation.set_thread_hidden(hidden.thread, staff, True, "spam")
        product = make_product(board, staff, slug="keycaps")
        campaign = make_campaign(product, staff)
        return {"idea": idea.id, "hidden": hidden.id, "campaign": campaign.id,
                "tier": campaign.tiers[0].id, "fan": fan.id, "author": author.id}


def _signed_in(app, username):
    client = app.test_client()
    assert client.post("/login", data={"login": username, "password": PASSWORD}).status_code == 302
    return client


def _poster(client, path):
    """(redirect, poster response) for the plain address."""
    first = client.get(path)
    assert first.status_code == 302, path
    second = client.get(first.headers["Location"])
    assert second.status_code == 200, first.headers["Location"]
    return first, second


def _image(response):
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    image.load()
    return image


def _decoded(image):
    """The text of the one QR code on the poster, as a phone's camera would read it."""
    found = [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(found) == 1
    return found[0]


def test_a_visitors_idea_poster_is_a_png_with_the_plain_link(app, world, posters):
    client = app.test_client()
    first, poster = _poster(client, f"/ideas/{world['idea']}/poster")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    image = _image(poster)
    assert image.size == draw.SIZE == (720, 1080)
    link = f"{SITE}/ideas/{world['idea']}"
    assert _decoded(image) == link
    assert posters[-1][1] == link  # and what segno was given
    cache = poster.headers["Cache-Control"]
    assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache
    assert poster.headers["ETag"]
    # The same again is a 304 for a browser that kept it.
    again = client.get(first.headers["Location"], headers={"If-None-Match": poster.headers["ETag"]})
    assert again.status_code == 304


def test_a_fans_poster_carries_their_code_and_is_theirs(app, world, posters):
    client = _signed_in(app, "sharer")
    first, poster = _poster(client, "/products/keycaps/poster")
    assert "no-store" in first.headers["Cache-Control"] and "private" in first.headers["Cache-Control"]
    assert "private" in poster.headers["Cache-Control"]
    assert "public" not in poster.headers["Cache-Control"]
    with app.test_request_context():
        code = referrals.code_for(world["fan"])
    link = posters[-1][1]
    assert link == f"{SITE}/products/keycaps?ref={code}"
    decoded = _decoded(_image(poster))
    assert decoded == link
    assert parse_qs(urlsplit(link).query) == {"ref": [code]}
    assert segno.make(link, error="m").designator  # the payload encodes as a QR code
    # The visitor's poster is another file, and the fan's name is not theirs to fetch.
    visitor = app.test_client()
    other, _visitor_poster = _poster(visitor, "/products/keycaps/poster")
    assert other.headers["Location"] != first.headers["Location"]
    stolen = visitor.get(first.headers["Location"])
    assert stolen.status_code == 302 and stolen.headers["Location"].endswith("/products/keycaps/poster")


def test_same_figures_same_file_and_no_second_drawing(app, world, posters):
    visitor, another = app.test_client(), app.test_client()
    first, poster = _poster(visitor, f"/ideas/{world['idea']}/poster")
    second, again = _poster(another, f"/ideas/{world['idea']}/poster")
    assert first.headers["Location"] == second.headers["Location"]
    assert poster.data == again.data and len(posters) == 1
    # A signed-in fan's is drawn once too.
    fan = _signed_in(app, "sharer")
    _poster(fan, f"/ideas/{world['idea']}/poster")
    _poster(fan, f"/ideas/{world['idea']}/poster")
    assert len(posters) == 2


def test_a_figure_change_gives_a_new_poster(app, world, posters):
    client = app.test_client()
    before, old = _poster(client, f"/ideas/{world['idea']}/poster")
    with app.app_context():
        ideas.vote(world["idea"], make_user("voter"))
    after, new = _poster(client, f"/ideas/{world['idea']}/poster")
    assert before.headers["Location"] != after.headers["Location"] and old.data != new.data
    assert [dict(p[0].figures)["votes"] for p in posters] == [0, 1]
    # The old name now sends its asker to the current poster.
    stale = client.get(before.headers["Location"])
    assert stale.status_code == 302 and stale.headers["Location"].endswith(
        f"/ideas/{world['idea']}/poster")
    # A pre-order moves a product's figures too.
    _poster(client, "/products/keycaps/poster")
    with app.app_context():
        buyer = make_user("buyer")
        orders.place_order(world["campaign"], buyer, world["tier"], 2, "poster-1")
    _poster(client, "/products/keycaps/poster")
    reserved = [dict(p[0].figures)["reserved"] for p in posters if p[0].kind == "product"]
    backers = [dict(p[0].figures)["backers"] for p in posters if p[0].kind == "product"]
    assert reserved == [(0, 10), (2, 10)] and backers == [0, 1]
    assert dict(posters[-1][0].figures)["price"] == (19900, "CNY")


def test_hidden_and_missing_things_have_no_poster(app, world, posters):
    for client in (app.test_client(), _signed_in(app, "staffer")):  # staff see hidden ideas
        for path in (f"/ideas/{world['hidden']}/poster", f"/ideas/{world['hidden']}/poster/x.png",
                     "/ideas/987654/poster", "/products/nope/poster"):
            assert client.get(path).status_code == 404, path
    assert posters == []


def test_the_cache_keeps_a_bounded_number(app, world, posters):
    app.config["POSTER_CACHE_SIZE"] = 2
    client = app.test_client()
    for n in range(4):
        _poster(client, f"/ideas/{world['idea']}/poster")
        with app.app_context():
            ideas.vote(world["idea"], make_user(f"voter{n}"))
    with app.app_context():
        assert len([n for n in os.listdir(store.folder()) if n.endswith(".png")]) == 2


def test_a_chinese_reader_gets_a_poster_drawn_in_a_language_the_fonts_have(app, world, posters):
    client = app.test_client()
    client.post("/locale", data={"locale": "zh"})
    _poster(client, f"/ideas/{world['idea']}/poster")
    language = posters[-1][2]
    with app.app_context():
        assert language == ("zh" if draw.has_cjk_font() else "en")


def test_a_title_the_fonts_cannot_draw_becomes_the_objects_number(app, world, posters):
    with app.app_context():
        idea = ideas.propose(make_board("cjk"), make_user("writer"), "夜光键帽设计方案", "内容")
    _poster(app.test_client(), f"/ideas/{idea.id}/poster")
    with app.test_request_context():
        assert posters[-1][0].title == "夜光键帽设计方案"  # the facts keep it; the drawing decides
        if not draw.has_cjk_font():
            assert not draw._drawable("夜光") and draw._drawable("Glow – ¥199")


def test_the_page_links_to_the_poster(app, world, posters):
    client = app.test_client()
    assert f'href="/ideas/{world["idea"]}/poster"' in client.get(f"/ideas/{world['idea']}").text
    assert 'href="/products/keycaps/poster"' in client.get("/products/keycaps").text


def test_with_a_cjk_font_a_chinese_reader_gets_chinese(app, world, posters):
    # A stand-in for FANFORGE_POSTER_FONT (DejaVu has no Chinese; the choice is what is checked).
    app.config["POSTER_FONT"] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if not os.path.isfile(app.config["POSTER_FONT"]):
        pytest.skip("no DejaVu on this machine")
    client = app.test_client()
    client.post("/locale", data={"locale": "zh"})
    _poster(client, f"/ideas/{world['idea']}/poster")
    english = app.test_client()
    _poster(english, f"/ideas/{world['idea']}/poster")
    assert [p[2] for p in posters] == ["zh", "en"]


def _installed_cjk_font():
    return next((path for path in draw.CJK_FONTS if os.path.isfile(path)), None)


def test_with_debians_cjk_font_a_chinese_title_is_drawn_in_chinese(app, posters):
    """With a CJK font where Debian puts one (`make browser` installs fonts-wqy-microhei),
    a Chinese reader's poster is drawn in Chinese, with the glyphs themselves."""
    path = _installed_cjk_font()
    if path is None:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei, or "
                    "fonts-noto-cjk): posters fall back to English, tested above")
    app.config["POSTER_FONT"] = ""  # found where the package put it, nothing configured
    with app.app_context():
        idea = ideas.propose(make_board("cjk"), make_user("writer"), "夜光键帽设计方案", "内容")
        assert draw.has_cjk_font() and draw._drawable("夜光键帽设计方案")
    font = ImageFont.truetype(path, size=32)
    # Real glyphs, not one "missing" box drawn for every character.
    assert len({bytes(font.getmask(c)) for c in "夜光键帽"}) == 4
    client = app.test_client()
    client.post("/locale", data={"locale": "zh"})
    _first, response = _poster(client, f"/ideas/{idea.id}/poster")
    facts, _link, language = posters[-1]
    assert language == "zh" and facts.title == "夜光键帽设计方案"
    assert _image(response).size == draw.SIZE
