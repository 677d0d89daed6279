"""Release notes: staff publish one as ideas ship; it credits proposers and co-creators
by name, on its own page, the shipped page, the idea and each credited fan's profile."""

import pytest
from apicheck import assert_conforms
from helpers import AuthActions
from roadmap_world import build

from community.accounts.models import User
from community.ideas import statuses
from community.ideas.models import Idea
from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db
from community.roadmap import notes
from community.roadmap.models import ReleaseNoteCredit

BODY = "The **Band Pro** lasts two weeks.\n\nThanks, everyone!"


@pytest.fixture
def world(app):
    return build(app)


def _publish(app, world, ids=None, title="Band Pro 1.0"):
    with app.app_context():
        boss = db.session.get(User, world["boss"])
        return notes.publish(boss, title, BODY, ids or [world["planned"], world["done"]]).id


def test_publishing_ships_the_ideas_and_credits_their_people(app, world):
    note_id = _publish(app, world)
    with app.app_context():
        assert db.session.get(Idea, world["planned"]).status == "shipped"
        credits = {(db.session.get(User, c.user_id).username, c.kind)
                   for c in db.session.query(ReleaseNoteCredit).filter_by(note_id=note_id)}
        note = notes.get_note(note_id)
    # lin proposed both ideas; mei was granted co-creation of the product one became.
    assert credits == {("lin", "proposer"), ("mei", "cocreator")}
    assert "<strong>Band Pro</strong>" in note.body_html
    assert [idea.id for idea in note.ideas] == [world["planned"], world["done"]]


def test_only_staff_publish_and_bad_notes_are_refused(app, world):
    with app.app_context():
        fan = db.session.scalar(db.select(User).filter_by(username="lin"))
        boss = db.session.get(User, world["boss"])
        with pytest.raises(Forbidden):
            notes.publish(fan, "Mine", BODY, [world["planned"]])
        with pytest.raises(ValidationError):
            notes.publish(boss, "", BODY, [world["planned"]])
        with pytest.raises(ValidationError):
            notes.publish(boss, "No ideas", BODY, [])
        with pytest.raises(ValidationError):
            notes.publish(boss, "Missing", BODY, [987_654])
        with pytest.raises(ValidationError):
            notes.parse_idea_ids("12, twelve")
        assert notes.parse_idea_ids("#12, 13 14") == [12, 13, 14]
        statuses.merge(world["fresh"], world["popular"], boss)
        with pytest.raises(Conflict):
            notes.publish(boss, "Merged", BODY, [world["fresh"]])


def test_the_note_shows_on_shipped_profiles_and_the_idea(client, app, world):
    note_id = _publish(app, world)
    shipped = client.get("/ideas/shipped").get_data(as_text=True)
    assert "Band Pro 1.0" in shipped and 'href="/u/lin"' in shipped and 'href="/u/mei"' in shipped
    for name in ("lin", "mei"):
        profile = client.get(f"/u/{name}").get_data(as_text=True)
        assert "Credited in release notes" in profile and "Band Pro 1.0" in profile
    assert "Band Pro 1.0" not in client.get("/u/kai").get_data(as_text=True)
    assert "Band Pro 1.0" in client.get(f"/ideas/{world['planned']}").get_data(as_text=True)
    page = client.get(f"/releases/{note_id}").get_data(as_text=True)
    assert "<strong>Band Pro</strong>" in page and "proposed it" in page and "co-created it" in page
    listing = client.get("/releases").get_data(as_text=True)
    assert "Band Pro 1.0" in listing and 'type="application/atom+xml"' in listing
    assert client.get("/releases/987654").status_code == 404


def test_staff_write_a_note_through_the_form(client, app, world):
    auth = AuthActions(client)
    auth.login("lin")
    assert client.get("/releases/new").status_code in (302, 403, 404)
    auth.logout()
    auth.login("boss")
    form = client.get(f"/releases/new?idea={world['building']}").get_data(as_text=True)
    assert f'value="{world["building"]}"' in form
    refused = client.post("/releases/new", data={"title": "Dark", "ideas": "nope", "body": "x"})
    assert refused.status_code == 422
    answer = client.post("/releases/new", data={"title": "Dark dashboard is out",
                                                "ideas": str(world["building"]), "body": BODY})
    assert answer.status_code == 302 and "/releases/" in answer.headers["Location"]
    with app.app_context():
        assert db.session.get(Idea, world["building"]).status == "shipped"


def test_the_note_in_chinese(client, app, world):
    _publish(app, world)
    zh = {"Accept-Language": "zh-CN"}
    assert "发布说明" in client.get("/releases", headers=zh).get_data(as_text=True)
    assert "发布说明" in client.get("/u/lin", headers=zh).get_data(as_text=True)


def test_the_api_lists_notes_with_credits(client, app, world):
    note_id = _publish(app, world)
    listing = client.get("/api/v1/releases")
    body = assert_conforms(client, listing, "GET", "/api/v1/releases")
    [note] = body["items"]
    assert note["url"] == f"http://fanforge.test/releases/{note_id}"
    assert {(c["user"]["username"], c["kind"]) for c in note["credits"]} == {
        ("lin", "proposer"), ("mei", "cocreator")}
    one = client.get(f"/api/v1/releases/{note_id}")
    assert assert_conforms(client, one, "GET", "/api/v1/releases/{note_id}")["id"] == note_id
    missing = client.get("/api/v1/releases/987654")
    assert missing.status_code == 404
    assert_conforms(client, missing, "GET", "/api/v1/releases/{note_id}")
