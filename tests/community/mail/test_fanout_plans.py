"""The mail of one fan-out finds the notifications it just wrote through an index on
(kind, created_at), on SQLite's planner without statistics (the app never runs ANALYZE).
With only the unique (kind, ref_key, user_id) index to pick from, each fan-out read every
notification of its kind: 620 ms of CPU a reply at 915k notifications (large seed)."""

import pytest
from helpers import make_thread, make_user
from querycount import counting
from sqlalchemy import text

from community.forum import service as forum
from community.kernel.extensions import db
from community.notifications.models import Notification

pytestmark = pytest.mark.one_database


def test_a_fan_outs_mail_reads_only_the_notifications_it_wrote(sqlite_app):
    with sqlite_app.app_context():
        named = [make_user(), make_user()]
        thread = make_thread()
        with counting() as statements:
            forum.reply(thread, make_user(), f"@{named[0].username} and @{named[1].username}, look.")
        assert {n.kind for n in db.session.query(Notification).filter(
            Notification.user_id.in_([u.id for u in named]))} == {"mention"}
        mails = [s for s in statements
                 if s.lstrip().upper().startswith("INSERT INTO MAIL_OUTBOX") and "notifications" in s]
        assert mails, "the mentions queued no mail from their notifications"
        for statement in mails:
            plan = [row[-1] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + statement))]
            reads = [step for step in plan if " notifications" in step]
            assert reads and all("created_at>" in step for step in reads), plan
