"""Reports sent at once through gunicorn with 4 workers: trusted members' reports all count
and hide the reply once the threshold is met (later ones find it gone: 404, as for any
hidden post); one member's report on the thread sent five times at once is one report (the
rest are told it exists). Never a 500."""

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
        thread = make_thread(make_board(), author)
        reply = forum.reply(thread, author, "Buy followers here")
        fans = [make_user(f"trusted{i}") for i in range(8)]
        with transaction():  # level 4 and up: trusted by default (REPORTS_TRUSTED_LEVEL)
            db.session.execute(update(User).where(User.id.in_([f.id for f in fans]))
                               .values(points=200))
        bearer = [tokens.create_token(fan, "t")[1] for fan in fans]
        reply_id, thread_id = reply.id, thread.id
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)

    def send(job):
        token, kind, target_id = job
        return kind, requests.post(
            f"{base}/api/v1/reports", timeout=60, headers={"Authorization": f"Bearer {token}"},
            json={"kind": kind, "target_id": target_id, "reason": "spam"}).status_code

    jobs = [(token, "post", reply_id) for token in bearer] + [(bearer[0], "thread", thread_id)] * 5
    with ThreadPoolExecutor(max_workers=13) as pool:
        answers = list(pool.map(send, jobs))
    on_reply = [code for kind, code in answers if kind == "post"]
    on_thread = sorted(code for kind, code in answers if kind == "thread")
    assert set(on_reply) <= {201, 404} and on_reply.count(201) >= 3, on_reply
    assert on_thread == [201, 409, 409, 409, 409], on_thread
    with app.app_context():
        row = db.session.scalar(select(ReportTarget).where(ReportTarget.kind == "post"))
        counted = on_reply.count(201)
        assert (row.open_count, row.trusted_count, row.auto_hidden) == (counted, counted, True)
        assert len(db.session.scalars(select(Report).where(Report.kind == "post")).all()) \
            == counted
        assert db.session.get(Post, reply_id).hidden
