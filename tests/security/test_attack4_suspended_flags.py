"""attack4: a suspended member's reports still hid content.

The suspended may still report ("reporting abuse to staff protects the member"), but a
report from a member at the trusted level also counts towards hiding the target until
staff look. Suspended for abuse, a trusted member (with friends, or alone where one flag
is enough) could keep hiding the posts of whoever they were fighting with."""

from helpers import make_thread, make_user

from community.forum import service as forum
from community.forum.models import Post
from community.kernel.extensions import db
from community.moderation import service as moderation
from community.reports import service as reports


def test_a_suspended_members_report_is_heard_but_hides_nothing(app):
    app.config.update(REPORTS_TRUSTED_LEVEL=1, REPORTS_TRUSTED_FLAGS=1)
    with app.app_context():
        staff = make_user("warden6", role="staff")
        thread = make_thread(author=make_user())
        victim, sulker, bystander = make_user("victim6"), make_user("sulker6"), make_user("by6")
        first = forum.reply(thread, victim, "I disagree with you, politely.")
        second = forum.reply(thread, victim, "And here is why, politely again.")
        moderation.suspend(sulker, staff, "Harassing victim6", "week")
        report, _target = reports.report("post", first.id, sulker, "abuse", "")
        assert report.trusted is False
        assert db.session.get(Post, first.id, populate_existing=True).hidden is False
        # A member in good standing at the trusted level still hides at once.
        reports.report("post", second.id, bystander, "abuse", "")
        assert db.session.get(Post, second.id, populate_existing=True).hidden is True
