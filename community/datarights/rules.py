"""The community's tables: which account columns are the member's, and what closing does.

Each line is one column that holds an account's id (registry.py says what the actions
mean). The store declares its own tables from products/.
"""

from sqlalchemy import select, update

from ..forum.models import Post, Thread
from ..kernel.database import utcnow
from ..kernel.extensions import db
from ..reports.models import ReportTarget
from ..search import outbox as search_outbox
from .closure import deleted_name
from .registry import CONTENT, DELETE, KEEP, NULL, after_close, declare

BLANK_POST = {"body": "", "body_html": "", "deleted_at": utcnow}
STAFF_WORK = "staff's work on the site's behalf, not the member's own data"
ABOUT_OTHERS = "rows about other members' content or accounts"


def declare_community():
    d = declare
    d("users", "id", True, KEEP, "the row stays as \"deleted user\", its personal columns "
      "emptied by closure.py", hide=("banned_at", "ban_reason", "auth_version"))
    # What the member wrote.
    d("threads", "author_id", True, CONTENT, "others' replies hang on the thread")
    d("posts", "author_id", True, CONTENT, "a thread keeps its posts' places",
      remove=BLANK_POST, images="post")
    d("ideas", "author_id", True, CONTENT, "votes on the idea are others' too")
    d("messages", "author_id", True, CONTENT, "the other participants keep the conversation",
      remove={"body": "-", "body_html": "", "hidden": True})  # a body is never empty
    d("conversations", "created_by_id", True, KEEP, "the other participants keep it",
      hide=("direct_key",))
    d("circles", "owner_id", True, KEEP, "its members keep the circle")
    d("circle_events", "created_by_id", True, KEEP, "members RSVPed to it")
    d("circle_cards", "sharer_id", True, KEEP, "a card in a circle's thread")
    d("circle_invites", "created_by_id", True, KEEP, "an invitation's link stays the circle's",
      hide=("token",))
    d("reports", "reporter_id", True, KEEP, "staff's record of the report")
    d("drafts", "user_id", True, DELETE)
    d("read_marks", "user_id", True, DELETE)
    # A post waiting for approval is the member's own text: exported, and gone with the
    # account (the watched words it matched are staff's, not the member's).
    d("held_posts", "author_id", True, DELETE, hide=("matched", "decided_by"))
    d("sanctions", "user_id", True, KEEP, "the moderation record of the account",
      hide=("actor_id", "lifted_by_id"))
    d("circle_bans", "user_id", True, KEEP, "a circle's ban stays the circle's",
      hide=("actor_id",))
    # What the member did: kept as anonymous counts, so no total changes.
    for table in ("votes", "post_likes", "round_budgets", "point_entries", "checkins",
                  "user_medals", "circle_members", "circle_rsvps",
                  "conversation_participants", "release_note_credits"):
        d(table, "user_id", True, KEEP, "kept as an anonymous count: totals stay as they were")
    # The member's settings and ties: gone with the account.
    d("follows", "user_id", True, DELETE)
    d("mail_preferences", "user_id", True, DELETE)
    d("api_tokens", "user_id", True, DELETE, hide=("prefix",))
    d("circle_requests", "user_id", True, DELETE)
    d("user_blocks", "blocker_id", True, DELETE)
    d("user_blocks", "blocked_id", False, DELETE, "another member's choice to block them")
    d("media_images", "uploader_id", True, KEEP, "images illustrate posts that may stay")
    d("media_images", "owner_id", False, KEEP, "the id of the post or product an image "
      "belongs to (owner_kind says which), not an account")
    # Not the member's own data.
    d("notifications", "user_id", False, DELETE,
      "what others did, addressed to the member (the mail settings are exported)")
    d("notifications", "actor_id", False, KEEP, "other members' notifications; the name shown "
      "is the anonymised account's")
    d("activities", "actor_id", False, KEEP, "a feed derived from the member's posts and votes, "
      "which are exported themselves; it names others' threads")
    d("mail_outbox", "user_id", False, DELETE, "mail waiting to be sent: delivery bookkeeping")
    d("reports", "resolved_by_id", False, NULL, ABOUT_OTHERS)
    d("report_targets", "author_id", False, KEEP, "staff's queue row about the member's "
      "content (the reports themselves are the reporters')")
    # Secrets of the second factor: never exported, gone with the account.
    d("two_factor", "user_id", False, DELETE, "the second factor's secret")
    d("recovery_codes", "user_id", False, DELETE, "hashes of one-time sign-in codes")
    d("held_posts", "decided_by", False, KEEP, STAFF_WORK)
    d("report_settings", "updated_by_id", False, KEEP, STAFF_WORK)
    d("sanctions", "actor_id", False, KEEP, STAFF_WORK + "; the moderation record")
    d("sanctions", "lifted_by_id", False, KEEP, STAFF_WORK + "; the moderation record")
    d("circle_bans", "actor_id", False, KEEP, "a circle moderator's work for the circle")
    d("audit_entries", "actor_id", False, KEEP, STAFF_WORK + "; the staff audit log")
    d("watched_words", "created_by", False, KEEP, STAFF_WORK)
    d("moderation_actions", "actor_id", False, KEEP, STAFF_WORK + "; the moderation log")
    d("idea_status_changes", "actor_id", False, KEEP, STAFF_WORK)
    d("rounds", "created_by_id", False, KEEP, STAFF_WORK)
    d("release_notes", "author_id", False, KEEP, STAFF_WORK)
    d("user_medals", "awarded_by_id", False, KEEP, STAFF_WORK)
    d("data_exports", "user_id", False, DELETE, "the export's own bookkeeping")
    d("account_closures", "user_id", False, KEEP, "the closure's own bookkeeping")


@after_close
def _forget_removed_posts(user_id, keep_posts):
    """Removed posts leave the search index (their documents are redone from the rows)."""
    if keep_posts:
        return
    search_outbox.enqueue_select("reply", select(Post.id).where(
        Post.author_id == user_id, Post.position > 0))
    for thread in db.session.scalars(select(Thread).where(Thread.author_id == user_id)):
        search_outbox.enqueue_thread(thread)


@after_close
def _forget_reported_copies(user_id, keep_posts):
    """The report queue keeps its own copy of what was reported (ReportTarget.title): a
    profile's is the username, and a removed post's is an excerpt of its words."""
    db.session.execute(update(ReportTarget).where(
        ReportTarget.kind == "profile", ReportTarget.target_id == user_id)
        .values(title=deleted_name(user_id)).execution_options(synchronize_session=False))
    if not keep_posts:
        db.session.execute(update(ReportTarget).where(
            ReportTarget.kind == "post", ReportTarget.author_id == user_id)
            .values(title="").execution_options(synchronize_session=False))
