"""A hole's HTML kept for every reader with the same facts (pagecache.remember) is drawn
from those facts alone: the campaign widget cannot show one fan's name to another,
whatever its template reads (community/web/pagecache/holes.py, audience.py)."""

import logging
import re
from pathlib import Path

import pytest
from helpers import PASSWORD, make_campaign, make_user
from jinja2 import ChoiceLoader, DictLoader

from community.kernel.recent import Recent
from community.web import pagecache
from community.web.pagecache import holes

pytestmark = pytest.mark.one_database

WIDGET = "products/campaigns/_widget.html"
GREETING = '<p data-testid="greeting">Hi {{ current_user.username }}</p>'


@pytest.fixture
def shop(app):
    """Two fans with equal facts for the widget (signed in, nothing held, no F-code)."""
    with app.app_context():
        make_user("qiuqiu"), make_user("tuantuan")
        return f"/products/{make_campaign().product.slug}"


def _signed_in(app, name):
    client = app.test_client()
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    return client


def _greeting_in_the_widget(app):
    """The one-line template change a kept hole must not survive."""
    source = (Path(app.root_path) / "templates" / WIDGET).read_text()
    leaky = source.replace("</header>", f"</header>{GREETING}", 1)
    assert leaky != source
    app.jinja_env.loader = ChoiceLoader([DictLoader({WIDGET: leaky}), app.jinja_env.loader])


def _drawn_widgets(monkeypatch):
    """The widget HTML each time it is drawn (not when a kept one is given)."""
    drawn, remember = [], pagecache.remember

    def spy(name, arg, facts, draw):
        def recorded(reader):
            html = draw(reader)
            drawn.append((reader, str(html)))
            return html
        return remember(name, arg, facts, recorded if name == "campaign_widget" else draw)

    monkeypatch.setattr(pagecache, "remember", spy)
    return drawn


def test_a_kept_hole_that_reads_its_reader_fails_the_tests(app, shop):
    _greeting_in_the_widget(app)
    with pytest.raises(pagecache.PersonalRead, match="campaign_widget.*current_user.username"):
        _signed_in(app, "qiuqiu").get(shop)


def test_outside_strict_mode_such_a_hole_is_drawn_for_each_reader_and_said_once(
        app, shop, caplog, monkeypatch):
    app.config["PAGE_CACHE_STRICT"] = False
    monkeypatch.setattr(holes, "_WARNED", set())
    _greeting_in_the_widget(app)
    qiuqiu, tuantuan = _signed_in(app, "qiuqiu"), _signed_in(app, "tuantuan")
    with caplog.at_level(logging.WARNING, logger="community.web.pagecache.holes"):
        pages = [client.get(shop).get_data(as_text=True) for client in (qiuqiu, tuantuan) * 2]
    for page, name in zip(pages, ("qiuqiu", "tuantuan") * 2, strict=True):
        assert f'data-testid="greeting">Hi {name}<' in page
    assert "Hi qiuqiu" not in pages[1] + pages[3] and "Hi tuantuan" not in pages[0] + pages[2]
    warnings = [r.getMessage() for r in caplog.records if r.name == "community.web.pagecache.holes"]
    assert len(warnings) == 1 and "campaign_widget" in warnings[0]


def test_fans_with_equal_facts_are_drawn_the_same_widget_with_neither_name(
        app, shop, monkeypatch):
    drawn = _drawn_widgets(monkeypatch)
    pages = {}
    for name in ("qiuqiu", "tuantuan"):
        monkeypatch.setattr(holes, "_KEPT", Recent(512))  # each fan's widget drawn anew
        pages[name] = _signed_in(app, name).get(shop).get_data(as_text=True)
    assert len(drawn) == 2
    (first_reader, first), (second_reader, second) = drawn
    # What the draw was given of its reader: the declared facts, nothing else.
    assert first_reader == second_reader
    assert first_reader._fields == ("signed_in", "cocreator", "held", "f_code")
    assert first == second and 'data-testid="preorder-form"' in first
    assert "qiuqiu" not in first and "tuantuan" not in first
    # Each page still carries its reader: their header and their own referral code.
    assert 'class="me">qiuqiu<' in pages["qiuqiu"] and 'class="me">tuantuan<' in pages["tuantuan"]
    assert _share_link(pages["qiuqiu"]) != _share_link(pages["tuantuan"])


def _share_link(page):
    return re.search(r'value="([^"]+)" data-testid="share-link"', page).group(1)


def test_a_hole_declares_its_facts_by_name(app):
    with app.test_request_context(), pytest.raises(TypeError, match="NamedTuple"):
        pagecache.remember("campaign_widget", "1", (True, 0), lambda reader: "")
