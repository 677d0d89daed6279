"""`flask demo load` brings circles and conversations: an open interest circle, a city club
with an upcoming meetup, a private circle, and the demo fans' conversation with a shared
product card, which renders live."""

from sqlalchemy import select

from community.accounts import service as accounts
from community.circles import access, events
from community.circles.models import Circle
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.messages import service as messages
from community.messages.models import Message


def test_the_demo_has_circles_a_meetup_and_a_shared_card(sqlite_app):
    result = sqlite_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with sqlite_app.app_context():
        circles = {c.slug: c for c in db.session.scalars(select(Circle))}
        assert (circles["band-tinkerers"].kind, circles["band-tinkerers"].visibility) == (
            "interest", "open")
        club = circles["shanghai-fans"]
        assert (club.kind, club.city) == ("city", "上海") and club.visibility != "private"
        (meetup,) = events.upcoming(club)
        assert meetup.starts_at > utcnow() and meetup.going_count >= 1
        hush = circles["beta-testers"]
        assert hush.visibility == "private" and hush.member_count >= 2
        assert access.membership(hush.id, accounts.get_by_username("fan05")) is None

        lilei = accounts.get_by_username("lilei")
        names = messages.names_in([p.conversation_id for p in
                                   messages.conversations_of(lilei).items], lilei.id)
        assert ["meimei"] in names.values()
        card = db.session.scalars(select(Message).where(Message.card_kind.is_not(None))).first()
        assert card is not None and card.card_kind == "product"
        conversation_id = card.conversation_id

    client = sqlite_app.test_client()
    client.post("/login", data={"login": "lilei", "password": "fan-pass-2026"})
    page = client.get(f"/conversations/{conversation_id}").get_data(as_text=True)
    assert 'data-testid="card-product"' in page
    directory = client.get("/circles").get_data(as_text=True)
    assert "Band tinkerers" in directory and "Shanghai fan club" in directory
    assert "Beta testers" not in directory
    assert "Night run on the Bund" in client.get("/circles/shanghai-fans").get_data(as_text=True)
    assert client.get("/circles/mine").get_data(as_text=True).count("Beta testers") == 1
