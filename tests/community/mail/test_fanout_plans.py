"""The mail of one fan-out finds the notifications it just wrote through an index on
(kind, created_at), on SQLite's planner without statistics (the app never runs ANALYZE).
With only the unique (kind, ref_key, user_id) index to pick from, each reply read every
notification of its kind: 620 ms of CPU a reply at 915k notifications (large seed)."""

import pytest
from helpers import make_thread, make_user
from querycount import counting
from sqlalchemy import text

from community.forum import service as forum
from community.kernel.extensions import db
from community.notifications.models import Notification

pytestmark = pytest.mark.one_database


def test_a_replys_mail_reads_only_the_notifications_it_wrote(sqlite_app):
    with sqlite_app.app_context():
        starter = make_user()
        thread = make_thread(author=starter)
        with counting() as statements:
            forum.reply(thread, make_user(), "A reply the starter hears of.")
        assert db.session.query(Notification).filter_by(user_id=starter.id).count() == 1
        mails = [s for s in statements
                 if s.lstrip().upper().startswith("INSERT INTO MAIL_OUTBOX") and "notifications" in s]
        assert mails, "the reply queued no mail from its notifications"
        for statement in mails:
            plan = [row[-1] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + statement))]
            reads = [step for step in plan if " notifications" in step]
            assert reads and all("created_at>" in step for step in reads), plan
