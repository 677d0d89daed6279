"""attack4: a closed account's name and removed words stayed in the staff's rows.

Closing promises that nothing of the account's name is left once its orders are purged
(test_account_closure.py), and that "remove my posts" removes them. But the report queue
keeps its own copy of what was reported: a profile report's row is titled with the
username, a post's with an excerpt of its text. Both outlived the closure. The moderation
log and the staff audit log kept the username in their `detail` text, and those are
append-only (a PostgreSQL trigger refuses changes): they now name a user by id only, and
the log pages show the name as it is now, anonymised once the account is closed."""

from datetime import timedelta

from helpers import PASSWORD, make_thread, make_user
from sqlalchemy import func, select

from community.accounts.models import User
from community.audit.models import AuditEntry
from community.datarights import closure
from community.forum import service as forum
from community.forum.models import ModerationAction
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.moderation import service as moderation
from community.reports import service as reports
from community.reports.models import ReportTarget

NAME = "zoe_identity"
WORDS = "my phone number is one three eight"


def _close(user_id, keep_posts):
    now = utcnow()
    with transaction():
        db.session.add(closure.AccountClosure(user_id=user_id, requested_at=now, due_at=now,
                                              keep_posts=keep_posts))
    assert closure.close_due(now=now + timedelta(seconds=1)) == 1


def _holding(column, text):
    return db.session.scalar(select(func.count()).where(func.lower(column).contains(text)))


def test_the_report_queue_forgets_a_closed_accounts_name_and_removed_words(app):
    with app.app_context():
        zoe, bob = make_user(NAME), make_user("bob_reporter")
        thread = make_thread(author=make_user())
        post = forum.reply(thread, zoe, WORDS)
        reports.report("profile", zoe.id, bob, "spam")
        reports.report("post", post.id, bob, "spam")
        assert _holding(ReportTarget.title, NAME) == 1
        assert _holding(ReportTarget.title, WORDS) == 1
        _close(zoe.id, keep_posts=False)
        assert _holding(ReportTarget.title, NAME) == 0
        assert _holding(ReportTarget.title, WORDS) == 0


def test_the_staff_logs_forget_a_closed_accounts_name(app):
    with app.app_context():
        zoe, staff = make_user(NAME), make_user("warden_identity", role="staff")
        moderation.suspend(zoe, staff, "Flaming", "day")
        warden = app.test_client()
        warden.post("/login", data={"login": staff.username, "password": PASSWORD})
        assert NAME in warden.get("/mod/log").get_data(as_text=True)  # named while it lives
        _close(zoe.id, keep_posts=True)
        assert _holding(ModerationAction.detail, NAME) == 0
        assert _holding(AuditEntry.detail, NAME) == 0
        anonymised = db.session.scalar(select(User.username).where(User.id == zoe.id))
    log = warden.get("/mod/log").get_data(as_text=True)
    assert NAME not in log and anonymised in log
