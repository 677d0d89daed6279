"""Reports sent at once through gunicorn with 4 workers: trusted members' reports all count
and hide the post exactly once; one member's report sent five times at once is one report
(the rest are told it exists), never a 500."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from helpers import make_board, make_thread, make_user
from sqlalchemy import select, update

from community.accounts import tokens
from community.accounts.models import User
from community.forum import service as forum
from community.forum.models import Post
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.reports.models import Report, ReportTarget

pytestmark = pytest.mark.concurrency


def test_reports_at_once_count_right_and_hide_once(app, live_servers):
    with app.app_context():
        author = make_user("loud")
        reply = forum.reply(make_thread(make_board(), author), author, "Buy followers here")
        fans = [make_user(f"trusted{i}") for i in range(8)]
        with transaction():  # level 4 and up: trusted by default (REPORTS_TRUSTED_LEVEL)
            db.session.execute(update(User).where(User.id.in_([f.id for f in fans]))
                               .values(points=200))
        bearer = [tokens.create_token(fan, "t")[1] for fan in fans]
        reply_id = reply.id
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)

    def send(token):
        return requests.post(f"{base}/api/v1/reports", timeout=60,
                             json={"kind": "post", "target_id": reply_id, "reason": "spam"},
                             headers={"Authorization": f"Bearer {token}"})

    with ThreadPoolExecutor(max_workers=13) as pool:
        responses = list(pool.map(send, bearer + [bearer[0]] * 5))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 8 + [409] * 5, codes
    with app.app_context():
        row = db.session.scalar(select(ReportTarget))
        assert (row.open_count, row.trusted_count, row.auto_hidden) == (8, 8, True)
        assert len(db.session.scalars(select(Report)).all()) == 8
        assert db.session.get(Post, reply_id).hidden
