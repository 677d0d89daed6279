"""The one screen every new post passes (registered with forum/screening.py).

In order, for a post of `kind` with its fields (body, maybe title):
1. a form sent again after it was held is held once: the same answer again;
2. blocked words refuse it ("contains a blocked word", naming no word);
3. "replace" words are swapped for their replacement;
4. a copy check: a fan (not staff) who already posted nearly the same body
   SPAM_COPIES_ALLOWED times in the last SPAM_COPY_WINDOW_MINUTES (published or waiting,
   in any thread) is refused (similarity.py: shingles and Jaccard >= SPAM_COPY_SIMILARITY);
5. it is held for approval when it matches a "hold" word, or when its author (not staff)
   has fewer than SPAM_FIRST_POSTS_HELD published posts and it has links or images.

The level gate on links (engagement's guard, run before this) still refuses links below
LINKS_MIN_LEVEL outright; what passes it and comes from a fan with few posts waits here.
Edits and a shared card's comment cannot wait (no publisher): a reason to hold refuses them.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..forum.models import Post
from ..forum.screening import PUBLISHERS
from ..kernel.database import transaction, utcnow
from ..kernel.errors import HeldForApproval, ValidationError
from ..kernel.extensions import db
from ..web.markdown import has_links_or_images
from . import similarity, words
from .models import HeldPost, WatchedWord

RECENT = 20


def held_message():
    return _("Your post is waiting for approval: a moderator will look at it soon. "
             "Until then only you can see it.")


def watched_entries():
    return words.build(db.session.execute(select(
        WatchedWord.id, WatchedWord.pattern, WatchedWord.is_regex, WatchedWord.action,
        WatchedWord.replacement).order_by(WatchedWord.id)).all())


def _texts(fields):
    return [(name, fields[name]) for name in ("title", "body") if fields.get(name)]


def screen(author, kind, fields, submit_token=None):
    staff = author.is_staff
    if submit_token and (earlier := _held_by_token(author.id, submit_token)) is not None:
        return _again(earlier, fields)
    entries = watched_entries()
    for name, text in _texts(fields):
        if words.matches(entries, text, "block"):
            raise ValidationError(_("This contains a blocked word: please change it."),
                                  field=name, code="blocked_word")
    for name, text in _texts(fields):
        fields[name] = words.replace(entries, text)
    publishable = kind in PUBLISHERS
    if publishable and not staff:
        _refuse_copies(author.id, fields["body"])
    held_words = [] if staff else sorted({e.label for _n, text in _texts(fields)
                                          for e in words.matches(entries, text, "hold")})
    reasons = ["words"] if held_words else []
    if publishable and not staff and _is_new(author.id) and has_links_or_images(fields["body"]):
        reasons.append("links")
    if not reasons:
        return fields
    if not publishable:
        raise ValidationError(_("This needs a moderator's approval, which an edit cannot wait "
                                "for: write it as a new post instead."),
                              field="body", code="needs_approval")
    if fields.get("uploads"):
        raise ValidationError(_("A post that waits for approval cannot carry uploaded images: "
                                "send the text first, and add the images once it is approved."),
                              field="images", code="needs_approval")
    _hold(author.id, kind, fields, submit_token, reasons, held_words)


def _again(earlier, fields):
    """A form sent again after its post was held: the same answer as the first time."""
    if earlier.state == "pending":
        raise HeldForApproval(held_message(), earlier.id)
    if earlier.state == "rejected":
        raise ValidationError(_("This form was sent already: reload the page to write again."),
                              code="form_used")
    return fields  # approved: the writer finds the post its token wrote and returns that


def _held_by_token(author_id, token):
    return db.session.scalar(select(HeldPost).where(HeldPost.author_id == author_id,
                                                    HeldPost.submit_token == token))


def _is_new(author_id):
    needed = current_app.config["SPAM_FIRST_POSTS_HELD"]
    if needed <= 0:
        return False
    published = db.session.scalars(
        select(Post.id).where(Post.author_id == author_id, Post.hidden.is_(False),
                              Post.deleted_at.is_(None)).limit(needed)).all()
    return len(published) < needed


def _refuse_copies(author_id, body):
    allowed = current_app.config["SPAM_COPIES_ALLOWED"]
    if allowed <= 0 or not similarity.shingles(body):
        return
    minutes = current_app.config["SPAM_COPY_WINDOW_MINUTES"]
    since = utcnow() - timedelta(minutes=minutes)
    earlier = list(db.session.scalars(
        select(Post.body).where(Post.author_id == author_id, Post.created_at >= since,
                                Post.deleted_at.is_(None))
        .order_by(Post.id.desc()).limit(RECENT)))
    earlier += [f.get("body", "") for f in db.session.scalars(
        select(HeldPost.fields).where(HeldPost.author_id == author_id,
                                      HeldPost.state == "pending", HeldPost.created_at >= since)
        .order_by(HeldPost.id.desc()).limit(RECENT))]
    found = similarity.copies(body, earlier, current_app.config["SPAM_COPY_SIMILARITY"])
    if found >= allowed:
        raise ValidationError(
            _("You have posted nearly the same text %(n)d times in the last %(minutes)d minutes. "
              "Write something new, or link to your earlier post.", n=found, minutes=minutes),
            field="body", code="copy_flood")


def _hold(author_id, kind, fields, submit_token, reasons, held_words):
    fields = {k: v for k, v in fields.items() if k != "uploads"}
    try:
        with transaction():
            held = HeldPost(author_id=author_id, kind=kind, fields=fields,
                            reasons=",".join(reasons), matched=", ".join(held_words)[:500],
                            submit_token=submit_token or None, created_at=utcnow())
            db.session.add(held)
            db.session.flush()
            held_id = held.id
    except IntegrityError:
        earlier = _held_by_token(author_id, submit_token)
        if earlier is None:
            raise
        held_id = earlier.id
    raise HeldForApproval(held_message(), held_id)
