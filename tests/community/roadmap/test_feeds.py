"""Atom feeds: new ideas per board, status changes, release notes. Each parses as Atom,
links absolutely to FANFORGE_SITE_URL, leaves hidden ideas out and is stored for visitors."""

import xml.etree.ElementTree as ET

import pytest
from roadmap_world import build
from sqlalchemy import update

from community.accounts.models import User
from community.circles import service as circles
from community.circles import threads as circle_threads
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.roadmap import notes
from community.web import feeds

NS = {"a": "http://www.w3.org/2005/Atom"}
SITE = "http://fanforge.test"


@pytest.fixture
def world(app):
    return build(app)


def _atom(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.find("a:id", NS).text == SITE + path
    self_link = root.find("a:link[@rel='self']", NS).get("href")
    assert self_link == SITE + path
    assert root.find("a:link[@rel='alternate']", NS).get("href").startswith(SITE + "/")
    assert root.find("a:updated", NS).text
    entries = root.findall("a:entry", NS)
    for entry in entries:
        assert entry.find("a:id", NS).text.startswith(SITE + "/")
        assert entry.find("a:link", NS).get("href").startswith(SITE + "/")
        assert entry.find("a:updated", NS).text and entry.find("a:title", NS).text
        assert entry.find("a:author/a:name", NS).text
    return root, entries, response


def _titles(entries):
    return [entry.find("a:title", NS).text for entry in entries]


def test_new_ideas_on_a_board(client, world):
    root, entries, _ = _atom(client, "/feeds/ideas/band.atom")
    titles = _titles(entries)
    assert titles[0] == "Louder alarm" and "Longer battery" in titles
    assert "Secret hidden plan" not in titles and "Dark dashboard" not in titles
    first = entries[0]
    assert first.find("a:link", NS).get("href") == f"{SITE}/ideas/{world['fresh']}"
    assert "I sleep through it." in first.find("a:content", NS).text
    # The feed's updated is its newest entry's: two renders are the same bytes.
    assert root.find("a:updated", NS).text == first.find("a:updated", NS).text
    _root, everywhere, _ = _atom(client, "/feeds/ideas.atom")
    assert "Dark dashboard" in _titles(everywhere)
    assert "Secret hidden plan" not in _titles(everywhere)


def test_status_changes(client, world):
    _root, entries, _ = _atom(client, "/feeds/changes.atom")
    titles = _titles(entries)
    assert "Bigger screen: Planned → Shipped" not in titles  # open → shipped in one step
    assert "Bigger screen: Open → Shipped" in titles
    assert not any("Secret" in title for title in titles)
    ids = [entry.find("a:id", NS).text for entry in entries]
    assert len(set(ids)) == len(ids) and all("#change-" in i for i in ids)
    _root, home, _ = _atom(client, "/feeds/changes/home.atom")
    assert _titles(home) == ["Dark dashboard: Open → In progress"]


def test_release_notes_feed_credits_by_name(client, app, world):
    with app.app_context():
        boss = db.session.get(User, world["boss"])
        note = notes.publish(boss, "Band Pro 1.0", "It *lasts*.", [world["planned"]])
    _root, entries, _ = _atom(client, "/feeds/releases.atom")
    [entry] = entries
    assert entry.find("a:id", NS).text == f"{SITE}/releases/{note.id}"
    content = entry.find("a:content", NS).text
    assert "<em>lasts</em>" in content and "lin" in content and "mei" in content


def test_feeds_are_stored_for_visitors_and_unknown_ones_are_404(client, world):
    assert client.get("/feeds/ideas/band.atom").headers["X-Page-Cache"] == "miss"
    hit = client.get("/feeds/ideas/band.atom")
    assert hit.headers["X-Page-Cache"] == "hit" and hit.mimetype == "application/atom+xml"
    ET.fromstring(hit.get_data())
    assert client.get("/feeds/nothing.atom").status_code == 404
    assert client.get("/feeds/ideas/no-board.atom").status_code == 404
    assert client.get("/feeds/releases/extra.atom").status_code == 404


def test_pages_link_their_feeds(client, world):
    for path, feed in (("/b/band/ideas", "/feeds/ideas/band.atom"),
                       ("/roadmap", "/feeds/changes.atom"),
                       ("/roadmap?board=home", "/feeds/changes/home.atom"),
                       ("/ideas/shipped", "/feeds/releases.atom"),
                       ("/releases", "/feeds/releases.atom")):
        page = client.get(path).get_data(as_text=True)
        assert '<link rel="alternate" type="application/atom+xml"' in page, path
        assert f'href="{SITE}{feed}"' in page, path


def test_another_package_registers_a_feed(app, client):
    def backer_updates(key):
        return feeds.Feed(f"Updates of {key}", "/products/" + key, [])
    feeds.register(app, "backer-updates", backer_updates)
    _root, entries, _ = _atom(client, "/feeds/backer-updates/band-pro.atom")
    assert entries == []


def test_no_feed_shows_a_private_circle(app, client, world):
    with app.app_context():
        owner = db.session.scalar(db.select(User).filter_by(username="kai"))
        with transaction():
            db.session.execute(update(User).where(User.id == owner.id).values(points=100))
        owner = db.session.get(User, owner.id, populate_existing=True)
        circle = circles.create_circle(owner, "Hush zebracross", "hush", "About zebracross",
                                       visibility="private")
        circle_threads.create_thread(circle, owner, "Plans zebracross", "zebracross inside")
    for path in ("/feeds/ideas.atom", "/feeds/changes.atom", "/feeds/releases.atom"):
        assert "zebracross" not in client.get(path).get_data(as_text=True), path
    # The circles' own board has no feed.
    assert client.get(f"/feeds/ideas/{circle_threads.BOARD_SLUG}.atom").status_code == 404
    assert client.get(f"/feeds/changes/{circle_threads.BOARD_SLUG}.atom").status_code == 404
