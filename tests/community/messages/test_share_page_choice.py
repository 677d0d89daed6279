"""The share page ticks the place a fan most likely means: the one a link asked for, if
theirs, else their latest conversation, never a circle they happened to join first."""

import re

import pytest
from helpers import PASSWORD, make_board, make_user
from sqlalchemy import update

from community.accounts.models import User
from community.circles import service as circles
from community.circles import threads
from community.ideas import service as ideas
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.messages import service as messages

pytestmark = pytest.mark.one_database
CHECKED = re.compile(r'<input type="radio" name="place" value="([^"]+)" checked')


@pytest.fixture
def places(app):
    with app.app_context():
        fan = make_user("lilei")
        make_user("hanmei"), make_user("other")
        with transaction():  # starting a circle needs a level
            db.session.execute(update(User).values(points=100))
        fan = db.session.get(User, fan.id, populate_existing=True)
        circle = circles.create_circle(fan, "Runners", "runners", "", "interest", None, "open")
        thread = threads.create_thread(circle, fan, "Weekend run", "Who is in?")
        older, _ = messages.start(fan, ["other"])
        latest, _ = messages.start(fan, ["hanmei"])
        strangers, _ = messages.start(make_user("stranger"), ["other"])
        idea = ideas.propose(make_board(), fan, "Longer battery", "Two weeks")
        ids = {"thread": thread.id, "latest": latest.id, "older": older.id,
               "strangers": strangers.id, "idea": idea.id}
    client = app.test_client()
    client.post("/login", data={"login": "lilei", "password": PASSWORD})
    return client, ids


def test_the_latest_conversation_is_ticked_not_the_first_circle(places):
    client, ids = places
    page = client.get(f"/share?kind=idea&id={ids['idea']}").get_data(as_text=True)
    assert CHECKED.findall(page) == [f"conversation:{ids['latest']}"]
    assert f'value="circle_thread:{ids["thread"]}"' in page  # still offered


@pytest.mark.parametrize(("asked", "ticked"), [
    ("circle_thread:{thread}", "circle_thread:{thread}"),
    ("conversation:{older}", "conversation:{older}"),
    ("conversation:{strangers}", "conversation:{latest}"),  # not theirs: ignored
    ("conversation:x", "conversation:{latest}"),
])
def test_a_place_asked_for_is_ticked_when_it_is_theirs(places, asked, ticked):
    client, ids = places
    page = client.get(f"/share?kind=idea&id={ids['idea']}&place={asked.format(**ids)}")
    assert CHECKED.findall(page.get_data(as_text=True)) == [ticked.format(**ids)]
