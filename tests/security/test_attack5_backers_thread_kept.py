"""attack5: a backers-only update's reply thread is drawn by the forum's thread page, a
page fans share (public_page(members=True)), so its answer to a backer left Cache-Control
to that rule: no `no-store`, unlike a private circle's thread or any other page that is
its reader's own. The backers' words stayed in the browser's cache (a shared computer's
next user, after signing out, saw them), while the page cache rightly never kept it."""

from helpers import AuthActions, make_campaign, make_thread, make_user

from community.forum import service as forum
from community.kernel.extensions import db
from products.notices import service as notices
from products.orders import service as orders


def test_a_backers_only_thread_is_never_kept_by_the_browser(app):
    with app.app_context():
        staff = make_user("boss5k", role="staff")
        campaign = make_campaign(staff=staff)
        backer = make_user("backer5k")
        orders.place_order(campaign.id, backer, campaign.tiers[0].id, 1, "k-backer5k")
        update = notices.post_update(campaign.id, staff, "Mould news", "For backers",
                                     audience="backers")
        forum.reply(db.session.get(forum.Thread, update.thread_id), backer, "Backer words")
        thread_id, open_thread = update.thread_id, make_thread(author=backer).id
    for who in ("backer5k", "boss5k"):
        client = app.test_client()
        AuthActions(client).login(who)
        for _ in range(2):
            page = client.get(f"/t/{thread_id}")
            assert page.status_code == 200 and "Backer words" in page.get_data(as_text=True)
            assert "no-store" in page.headers.get("Cache-Control", ""), who
        # A thread anyone reads is still a page fans share (no no-store).
        assert "no-store" not in client.get(f"/t/{open_thread}").headers.get("Cache-Control", "")
