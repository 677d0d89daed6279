"""Two busy accounts who talk to each other, share a circle, order the same product and
vote on each other's ideas: the world the data-rights tests export and close."""

from dataclasses import dataclass

from helpers import make_board, make_campaign, make_user

from community.accounts import tokens
from community.circles import service as circles
from community.forum import service as forum
from community.ideas import service as ideas
from community.kernel.database import transaction
from community.messages import service as messages
from community.messages.sending import send
from products.addresses import service as addresses
from products.orders import service as orders


@dataclass
class Person:
    user: object
    email: str
    street: str
    recipient: str
    phone: str
    said: str  # a marker inside everything they wrote


@dataclass
class World:
    zoe: Person
    bob: Person
    thread_id: int
    bob_thread_id: int
    zoe_idea_id: int
    bob_idea_id: int
    conversation_id: int
    circle_id: int
    order_ids: dict


def _person(name, street, recipient, phone, said):
    email = f"{name.replace('_', '.')}@example.com"
    return Person(make_user(name, email=email), email, street, recipient, phone, said)


def _address(person):
    return addresses.add_address(person.user, {
        "recipient": person.recipient, "phone": person.phone, "country": "CN",
        "region": "北京市", "city": "北京", "street": person.street, "postal_code": "100080"})


def build():
    """Needs an app context (CIRCLE_MIN_LEVEL 0)."""
    zoe = _person("zoe_closing", "88 Quiet Lane", "Zoe Closingrecipient", "13911112222",
                  "zoe-wrote-this")
    bob = _person("bob_staying", "12 Busy Road", "Bob Stayingrecipient", "13733334444",
                  "bob-wrote-this")
    board = make_board()
    thread = forum.create_thread(board, zoe.user, "A thread to talk in", f"Hello, {zoe.said}")
    bob_thread = forum.create_thread(board, bob.user, "Bob's own thread", f"Hi, {bob.said}")
    forum.reply(forum.get_thread(thread.id, bob.user), bob.user, f"Reply: {bob.said}")
    zoe_reply = forum.reply(forum.get_thread(bob_thread.id, zoe.user), zoe.user,
                            f"Reply: {zoe.said}")
    forum.set_like(zoe_reply, bob.user, True)
    zoe_idea = ideas.propose(board, zoe.user, "Zoe's idea", f"Idea: {zoe.said}")
    bob_idea = ideas.propose(board, bob.user, "Bob's idea", f"Idea: {bob.said}")
    ideas.vote(zoe_idea.id, bob.user)
    ideas.vote(bob_idea.id, zoe.user)
    conversation, _ = messages.start(zoe.user, [bob.user.username])
    send(conversation.id, zoe.user, f"Message: {zoe.said}")
    send(conversation.id, bob.user, f"Message: {bob.said}")
    circle = circles.create_circle(zoe.user, "Shared circle", "shared-circle",
                                   f"Circle: {zoe.said}")
    circles.join(circle, bob.user)
    campaign = make_campaign(cap=20, per_buyer=5)
    tier = campaign.tiers[0]
    order_ids = {}
    for person in (zoe, bob):
        address = _address(person)
        order, _ = orders.place_order(campaign.id, person.user, tier.id, 1, f"k-{person.said}")
        with transaction():
            addresses.copy_to_order(order, person.user, address.id)
        order_ids[person.user.username] = order.id
        tokens.create_token(person.user, f"script of {person.said}")
    return World(zoe, bob, thread.id, bob_thread.id, zoe_idea.id, bob_idea.id,
                 conversation.id, circle.id, order_ids)
