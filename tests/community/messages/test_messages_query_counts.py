"""Conversation pages issue the same SQL with 5 and with 50 messages, cards or conversations
(cards load once per kind, never once per card)."""


import pytest
from helpers import PASSWORD, make_board, make_campaign, make_user
from querycount import assert_queries_do_not_grow, grouped

from community.accounts import service as accounts
from community.forum.models import Board
from community.ideas import service as ideas
from community.kernel.extensions import db
from community.messages import sending, service


class World:
    def __init__(self):
        self.me = make_user("me")
        self.friend = make_user("friend")
        self.board = make_board()
        self.board_id = self.board.id
        conversation, _ = service.start(self.friend, ["me"])
        self.conversation_id = conversation.id
        self.n = 0

    def reload(self):
        self.me = accounts.get_by_username("me")
        self.friend = accounts.get_by_username("friend")
        self.board = db.session.get(Board, self.board_id)


def add_messages(w, k):
    for _ in range(k):
        w.n += 1
        idea = ideas.propose(w.board, w.friend, f"Idea number {w.n:03d}", "b")
        campaign = make_campaign()
        sending.send(w.conversation_id, w.friend, f"look {w.n}", ("idea", idea.id))
        sending.send(w.conversation_id, w.friend, "", ("campaign", campaign.id))
        sending.send(w.conversation_id, w.friend, "", ("product", campaign.product_id))


def add_conversations(w, k):
    for _ in range(k):
        w.n += 1
        other = make_user(f"other{w.n}")
        conversation, _ = service.start(other, ["me", "friend"], f"Group {w.n}")
        sending.send(conversation.id, other, "hi")


SCENARIOS = {
    "conversation": (add_messages, lambda w: f"/conversations/{w.conversation_id}"),
    "poll": (add_messages, lambda w: f"/conversations/{w.conversation_id}/messages?after=0"),
    "conversations": (add_conversations, lambda w: "/conversations"),
    "share-page": (add_conversations, lambda w: "/share?kind=idea&id=1"),
}


@pytest.mark.long
@pytest.mark.parametrize("names", grouped(SCENARIOS), ids="+".join)
def test_queries_do_not_grow(sqlite_app, names):
    grow = SCENARIOS[names[0]][0]
    with sqlite_app.app_context():
        world = World()
        ideas.propose(world.board, world.friend, "The idea to share", "b")
        grow(world, 5)
        paths = [SCENARIOS[name][1](world) for name in names]
    client = sqlite_app.test_client()
    client.post("/login", data={"login": "me", "password": PASSWORD})
    assert_queries_do_not_grow(sqlite_app, client, paths, world, grow)
