"""Queries per request stay constant whatever a page holds (no query per row).

Each scenario builds 5 items, counts the SQL statements of its page, grows to 50
items and counts again: the two counts must be equal.
"""

import pytest
from crowds import make_fans
from helpers import PASSWORD, make_board, make_campaign, make_thread, make_user
from querycount import assert_queries_do_not_grow, grouped

from community.accounts import service as accounts
from community.accounts.models import User
from community.forum import moderation
from community.forum import service as forum
from community.ideas import service as ideas
from community.ideas import statuses
from community.kernel.extensions import db
from community.web.pagecache import serving, stores
from products.orders import service as orders


class World:
    """Shared people and places; scenarios add items to them."""

    def __init__(self):
        self.viewer = make_user("viewer")
        self.staff = make_user("staffer", role="staff")
        self.board = make_board("qc")
        self.thread = make_thread(self.board, self.staff, title="Long thread")
        self.idea = ideas.propose(self.board, self.staff, "An idea with replies", "b")
        self.ids = (self.thread.id, self.idea.id)
        ideas.set_board_tags(self.board, ["a", "b"])
        self.n = 0
        self.spare = []

    def reload(self):
        """Objects from an earlier app context are detached: fetch them again."""
        self.viewer = accounts.get_by_username("viewer")
        self.staff = accounts.get_by_username("staffer")
        self.thread = forum.get_thread(self.ids[0], self.staff)
        self.idea = ideas.get_idea(self.ids[1])
        self.board = self.thread.board

    def author(self):
        # A new author per item, so per-row author or level lookups would show; made 45 at
        # a time (tests/crowds.py: make_user is ~15 ms each), kept by id across contexts.
        if not self.spare:
            self.spare = [fan.id for fan in make_fans([f"author{self.n + i}" for i in range(1, 46)])]
        self.n += 1
        return db.session.get(User, self.spare.pop(0))


def add_boards(w, k):
    for _ in range(k):
        make_board()


def add_threads(w, k):
    for _ in range(k):
        forum.create_thread(w.board, w.author(), f"Thread {w.n}", "body")


def add_replies(w, k):
    for _ in range(k):
        post = forum.reply(w.thread, w.author(), f"reply {w.n}")
        forum.set_like(post, w.viewer, True)


def add_ideas(w, k):
    for _ in range(k):
        idea = ideas.propose(w.board, w.author(), f"Idea number {w.n:03d}", "b", tags=["a"])
        ideas.vote(idea.id, w.viewer)


def add_idea_activity(w, k):
    for _ in range(k):
        author = w.author()
        forum.reply(w.idea.thread, author, "me too")
        ideas.vote(w.idea.id, author)


def add_shipped(w, k):
    for _ in range(k):
        idea = ideas.propose(w.board, w.author(), f"Shipped idea {w.n:03d}", "b")
        statuses.change_status(idea.id, w.staff, "shipped", "done")


def add_profile_replies(w, k):
    for _ in range(k):
        forum.reply(make_thread(w.board, w.author()), w.viewer, "mine")


def add_mod_actions(w, k):
    for _ in range(k):
        moderation.set_pinned(make_thread(w.board, w.author()), w.staff, True, "why")


def add_orders(w, k):
    for _ in range(k):
        campaign = make_campaign(staff=w.staff, per_buyer=1)
        orders.place_order(campaign.id, w.viewer, campaign.tiers[0].id, 1, f"k{w.n}-{campaign.id}")
        w.n += 1


SCENARIOS = {
    "home": (add_boards, lambda w: "/"),
    "board": (add_threads, lambda w: f"/b/{w.board.slug}"),
    "thread": (add_replies, lambda w: f"/t/{w.thread.id}"),
    "ideas": (add_ideas, lambda w: "/ideas"),
    "board-ideas-tag": (add_ideas, lambda w: f"/b/{w.board.slug}/ideas?tag=a&sort=new"),
    "idea": (add_idea_activity, lambda w: f"/ideas/{w.idea.id}"),
    "voters": (add_idea_activity, lambda w: f"/ideas/{w.idea.id}/voters"),
    "shipped": (add_shipped, lambda w: "/ideas/shipped"),
    "profile-threads": (add_threads, lambda w: "/u/author1"),
    "profile-replies": (add_profile_replies, lambda w: "/u/viewer?tab=replies"),
    "moderation-log": (add_mod_actions, lambda w: "/mod/log"),
    "my-preorders": (add_orders, lambda w: "/me/preorders"),
    "leaderboard": (add_threads, lambda w: "/leaderboards?period=week"),
    "board-leaderboard": (add_threads, lambda w: f"/leaderboards?period=month&board={w.board.slug}"),
}


@pytest.fixture
def rendering_app(sqlite_app):
    """Every page rendered: the counts are the render's, not those of a stored page (whose
    holes, filled per response, count here all the same)."""
    sqlite_app.extensions[serving.EXTENSION] = stores.NoPages()
    return sqlite_app


def _viewer(name):
    return "staffer" if name == "moderation-log" else "viewer"


# Scenarios that grow the world alike, seen by the same viewer, share one world.
@pytest.mark.long
@pytest.mark.parametrize("names", grouped(SCENARIOS, by=_viewer), ids="+".join)
def test_queries_do_not_grow_with_items(rendering_app, names):
    sqlite_app = rendering_app
    grow = SCENARIOS[names[0]][0]
    with sqlite_app.app_context():
        world = World()
        grow(world, 5)
        paths = [SCENARIOS[name][1](world) for name in names]
    client = sqlite_app.test_client()
    client.post("/login", data={"login": _viewer(names[0]), "password": PASSWORD})
    assert_queries_do_not_grow(sqlite_app, client, paths, world, grow)


def test_no_scenario_is_forgotten():
    # A new main page should get a scenario here.
    assert len(SCENARIOS) >= 12
