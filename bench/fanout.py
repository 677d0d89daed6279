"""Fan-out of one backer update to many backers on SQLite: time and peak memory.

    .venv/bin/python -m bench.fanout [backers]   (default 50,000)

Builds a temporary database with that many users holding units of one campaign, posts
one update (the request's part: one NoticeBatch row), then runs the worker's part
(mail/broadcast.py, batches of 1,000) and reports the time, Python's peak allocation
(tracemalloc) and the process's peak RSS, and checks everyone got exactly one notice.
"""

import os
import resource
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from helpers import TEST_CONFIG, make_campaign, make_user  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from community.accounts.models import User  # noqa: E402
from community.kernel.database import utcnow  # noqa: E402
from community.kernel.extensions import db  # noqa: E402
from community.mail import broadcast  # noqa: E402
from community.mail.models import MailOutbox  # noqa: E402
from community.notifications.models import Notification  # noqa: E402
from products.campaigns.models import CampaignBuyer  # noqa: E402
from products.notices import service as notices  # noqa: E402


def main(n):
    folder = tempfile.mkdtemp(prefix="fanout-bench-")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                      "INSTANCE_PATH": folder})
    with app.app_context():
        db.create_all()
        staff = make_user("boss", role="staff")
        campaign = make_campaign(staff=staff, cap=n + 10)
        now = utcnow()
        first = db.session.scalar(select(func.max(User.id))) + 1
        db.session.execute(insert(User), [
            {"username": f"b{i}", "username_key": f"b{i}", "username_skeleton": f"b{i}",
             "email": f"b{i}@example.com",
             "password_hash": "x", "email_verified_at": now, "created_at": now}
            for i in range(n)])
        db.session.execute(insert(CampaignBuyer), [
            {"campaign_id": campaign.id, "user_id": first + i, "units": 1} for i in range(n)])
        db.session.commit()
        broadcast.run_due()  # the campaign's opening notice, before timing

        start = time.perf_counter()
        notices.post_update(campaign.id, staff, "Moulds are ready", "**Great** news, everyone.")
        posted = time.perf_counter() - start

        tracemalloc.start()
        start = time.perf_counter()
        batches = broadcast.run_due()
        spent = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        told = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "backer_update"))
        distinct = db.session.scalar(select(func.count(func.distinct(Notification.user_id)))
                                     .where(Notification.kind == "backer_update"))
        mails = db.session.scalar(select(func.count()).select_from(MailOutbox).where(
            MailOutbox.kind == "notification"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"backers: {n}  request (post the update): {posted * 1000:.1f} ms")
    print(f"worker: {batches} batches in {spent:.2f} s ({n / spent:,.0f} recipients/s)")
    print(f"notices: {told} ({distinct} distinct)  mails queued (all notices): {mails}")
    print(f"peak Python allocation during fan-out: {peak / 2**20:.1f} MiB;"
          f" process peak RSS: {rss:.0f} MiB")
    assert told == distinct == n


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
