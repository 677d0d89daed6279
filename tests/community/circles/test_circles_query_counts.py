"""Circle pages issue the same SQL with 5 and with 50 circles, threads, replies, cards,
members or RSVPs."""


import pytest
from circle_factories import add_member, make_circle, make_event, make_fan
from helpers import PASSWORD, make_board, make_campaign
from querycount import assert_queries_do_not_grow, grouped

from community.accounts import service as accounts
from community.circles import events, threads
from community.circles.models import Circle, Event
from community.forum import service as forum
from community.forum.models import Board, Thread
from community.ideas import service as ideas
from community.kernel.extensions import db


class World:
    def __init__(self):
        self.me = make_fan("me")
        self.circle = make_circle(self.me, slug="home-club", kind="city", city="上海")
        self.thread = threads.create_thread(self.circle, self.me, "Long thread", "x")
        self.event = make_event(self.circle, self.me, capacity=30)
        self.board = make_board()
        self.n = 0
        # Plain ids and slugs: the objects leave their session with the app context.
        self.ids = {"circle": self.circle.id, "thread": self.thread.id, "event": self.event.id,
                    "board": self.board.id}
        self.slug = self.circle.slug

    def reload(self):
        """Fresh objects in the current app context's session."""
        self.me = accounts.get_by_username("me")
        self.circle = db.session.get(Circle, self.ids["circle"])
        self.thread = db.session.get(Thread, self.ids["thread"])
        self.event = db.session.get(Event, self.ids["event"])
        self.board = db.session.get(Board, self.ids["board"])


def add_circles(w, k):
    # Another city than the viewer's own club: the page then never holds the viewer as a
    # circle's owner (which would spare the user loader its query on one side only).
    for _ in range(k):
        make_circle(make_fan(), kind="city", city="北京")


def add_my_circles(w, k):
    for _ in range(k):
        add_member(make_circle(make_fan()), w.me)


def add_threads(w, k):
    for _ in range(k):
        fan = make_fan()
        add_member(w.circle, fan)
        threads.create_thread(w.circle, fan, "A thread", "x")


def add_replies(w, k):
    for _ in range(k):
        w.n += 1
        fan = make_fan()
        add_member(w.circle, fan)
        forum.reply(w.thread, fan, "me too")
        idea = ideas.propose(w.board, fan, f"Idea number {w.n:03d}", "b")
        threads.share(w.thread.id, fan, "idea", idea.id)
        threads.share(w.thread.id, fan, "campaign", make_campaign().id)


def add_rsvps(w, k):
    for _ in range(k):
        fan = make_fan()
        add_member(w.circle, fan)
        events.rsvp(w.event.id, fan)


SCENARIOS = {
    "directory": (add_circles, lambda w: "/circles?city=北京"),
    "circle": (add_threads, lambda w: f"/circles/{w.slug}"),
    "members": (add_threads, lambda w: f"/circles/{w.slug}/members"),
    "thread": (add_replies, lambda w: f"/circles/{w.slug}/t/{w.ids['thread']}"),
    "event": (add_rsvps, lambda w: f"/circles/{w.slug}/events/{w.ids['event']}"),
    "my-circles": (add_my_circles, lambda w: "/circles/mine"),
}


@pytest.mark.long
@pytest.mark.parametrize("names", grouped(SCENARIOS), ids="+".join)
def test_queries_do_not_grow(sqlite_app, names):
    grow = SCENARIOS[names[0]][0]
    with sqlite_app.app_context():
        world = World()
        grow(world, 5)
        paths = [SCENARIOS[name][1](world) for name in names]
    client = sqlite_app.test_client()
    client.post("/login", data={"login": "me", "password": PASSWORD})
    assert_queries_do_not_grow(sqlite_app, client, paths, world, grow)
