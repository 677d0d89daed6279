"""Idea lists announce the feedback rounds open now: site-wide, and on their own board."""

from datetime import timedelta

from helpers import make_board, make_user
from sqlalchemy import update

from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.rounds import service
from community.rounds.models import Round


def test_live_rounds_show_on_idea_lists_of_their_board(app, client):
    with app.app_context():
        band, _tv, staff = make_board("band"), make_board("tv"), make_user(role="staff")
        now = utcnow()
        live = service.create_round(band, staff, "Battery week", "", now - timedelta(hours=1),
                                    now + timedelta(days=2))
        service.create_round(band, staff, "Not yet open", "", now + timedelta(hours=5),
                             now + timedelta(days=3))
        live_id = live.id
    for path, shown in (("/ideas", True), ("/b/band/ideas", True), ("/b/tv/ideas", False)):
        page = client.get(path).get_data(as_text=True)
        assert ('class="notice round-banner"' in page) is shown, path
        assert (f'href="/rounds/{live_id}">Battery week</a>' in page) is shown, path
        assert "Not yet open" not in page
    with app.app_context():  # its time is up
        db.session.execute(update(Round).where(Round.id == live_id).values(
            ends_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert "round-banner" not in client.get("/ideas").get_data(as_text=True)
