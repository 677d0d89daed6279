"""The migration that gives backers-only updates' threads their own kind: a site that
had such threads (product threads anyone could open) finds them closed after upgrading,
and their words leave the search."""

from datetime import datetime

from flask_migrate import downgrade, upgrade
from helpers import build_app, make_campaign, make_user
from sqlalchemy import select, text

from community.forum.models import Thread
from community.kernel.extensions import db
from community.search.models import SearchDocument, SearchOutbox
from products.notices import service as notices

BEFORE = "c4d1e8f2a9b7"


def test_upgrading_closes_the_threads_of_existing_backers_only_updates(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/m.sqlite3", tmp_path)
    with app.app_context():
        upgrade()
        staff = make_user("boss", role="staff")
        campaign = make_campaign(staff=staff)
        hidden = notices.post_update(campaign.id, staff, "Secret", "x", audience="backers")
        public = notices.post_update(campaign.id, staff, "Open", "y")
        downgrade(revision=BEFORE)  # as the site was: a product thread, indexed
        db.session.add(SearchDocument(kind="thread", ref_id=hidden.thread_id, tsv="secret",
                                      created_at=datetime(2026, 1, 1),
                                      indexed_at=datetime(2026, 1, 1)))
        db.session.execute(SearchOutbox.__table__.delete())
        db.session.commit()
        # Plain SQL while the schema is the old one (the models are the head's).
        assert db.session.execute(text("SELECT kind FROM threads WHERE id = :id"),
                                  {"id": hidden.thread_id}).scalar() == "product"
        db.session.remove()  # end the read: the upgrade writes on a connection of its own
        upgrade()
        kinds = dict(db.session.execute(select(Thread.id, Thread.kind).where(
            Thread.id.in_([hidden.thread_id, public.thread_id]))).all())
        assert kinds == {hidden.thread_id: "backer_update", public.thread_id: "product"}
        assert db.session.scalars(select(SearchDocument.ref_id)).all() == []
        assert db.session.execute(select(SearchOutbox.kind, SearchOutbox.ref_id)).all() == [
            ("thread", hidden.thread_id)]
        db.session.remove()
        db.engine.dispose()
