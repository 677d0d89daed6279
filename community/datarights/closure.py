"""Close my account: asked for with the password (and the second factor once accounts
have one), then a grace period in which signing in cancels it, then a worker anonymises
the account by the registry's rules, and a later pass empties the orders' personal
columns once the law's retention (ORDER_RETENTION_DAYS) has run out.

The anonymised account keeps its row (id), so every vote, like and point still counts
and kept posts show under "deleted user <id>"; its name, addresses, passwords, tokens and
mail are gone, and it is marked banned so no mail, sign-in or write can reach it again.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, update

from .. import mail
from ..accounts import names, twofactor
from ..accounts.models import User
from ..accounts.tokens import ApiToken
from ..avatars import service as avatars
from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.extensions import db
from ..mail.models import MailOutbox
from ..media import deletes
from ..media.models import MediaImage
from . import audit, registry
from .models import AccountClosure, DataExport

DELETED_DOMAIN = "deleted.invalid"  # RFC 2606: never a real address
MAIL_KIND = "account_closing"


def request_closure(user, password, keep_posts=True, code=None):
    """Close `user`'s account after the grace period. Signs every session out and
    revokes the API tokens; signing in again before `due_at` cancels it."""
    twofactor.confirm_identity(user, password, code)
    now = utcnow()
    due = now + timedelta(days=current_app.config["ACCOUNT_CLOSE_GRACE_DAYS"])
    with transaction():
        if not insert_ignore(AccountClosure, user_id=user.id, requested_at=now, due_at=due,
                             keep_posts=bool(keep_posts)):
            db.session.execute(update(AccountClosure).where(
                AccountClosure.user_id == user.id, AccountClosure.closed_at.is_(None))
                .values(keep_posts=bool(keep_posts))
                .execution_options(synchronize_session=False))
        db.session.execute(update(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
            .execution_options(synchronize_session=False))
        db.session.execute(update(User).where(User.id == user.id)
                           .values(auth_version=User.auth_version + 1)
                           .execution_options(synchronize_session=False))
        mail.queue(MAIL_KIND, user_id=user.id)
        audit.record("account.close_requested", user.id)
    return pending(user.id)


def pending(user_id):
    """The account's closure still in its grace period, or None."""
    return db.session.scalar(select(AccountClosure).where(
        AccountClosure.user_id == user_id, AccountClosure.closed_at.is_(None)))


def cancel(user_id):
    """Signing in within the grace period: the closure is called off. Returns whether
    one was waiting."""
    with transaction(reload=False):
        gone = db.session.execute(delete(AccountClosure).where(
            AccountClosure.user_id == user_id, AccountClosure.closed_at.is_(None))
            .execution_options(synchronize_session=False)).rowcount
        if gone:
            audit.record("account.close_cancelled", user_id)
    return bool(gone)


# ---- the worker: closing ---------------------------------------------------

def close_due(now=None, limit=50):
    """Anonymise every account whose grace period is over; returns how many."""
    now = now or utcnow()
    ids = db.session.scalars(select(AccountClosure.user_id).where(
        AccountClosure.closed_at.is_(None), AccountClosure.due_at <= now)
        .order_by(AccountClosure.due_at).limit(limit)).all()
    return sum(close_account(user_id, now) for user_id in ids)


def close_account(user_id, now=None):
    """Anonymise one account whose closure is due, in one transaction; the conditional
    UPDATE on its closure lets one worker do it, and a sign-in that cancelled first wins."""
    now = now or utcnow()
    with transaction(reload=False):
        claimed = db.session.execute(update(AccountClosure).where(
            AccountClosure.user_id == user_id, AccountClosure.closed_at.is_(None),
            AccountClosure.due_at <= now).values(closed_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if not claimed:
            return False
        keep_posts = db.session.scalar(select(AccountClosure.keep_posts).where(
            AccountClosure.user_id == user_id))
        email, avatar = db.session.execute(
            select(User.email, User.avatar).where(User.id == user_id)).one()
        files = [("media", name) for name in db.session.scalars(select(DataExport.file_name)
                 .where(DataExport.user_id == user_id, DataExport.file_name.is_not(None)))]
        for rule in registry.rules():
            files += _apply(rule, user_id, keep_posts, now)
        db.session.execute(delete(MailOutbox).where(MailOutbox.to_addr == email)
                           .execution_options(synchronize_session=False))
        for hook in registry.AFTER_CLOSE:
            files += hook(user_id, keep_posts) or ()
        _anonymise_user(user_id, now)
        audit.record("account.closed", user_id)
        # Noted with the closure: a delete that fails after it is tried again, not lost.
        noted = deletes.later(files + avatars.files_of(avatar))
    deletes.run(noted)
    db.session.expire_all()
    return True


def _values(values, now):
    return {k: (now if v is utcnow else v() if callable(v) else v) for k, v in values.items()}


def _apply(rule, user_id, keep_posts, now):
    """Carry out one rule; returns the stored files, as (area, name), it leaves to delete
    once the transaction commits (the photos of removed posts)."""
    table = db.metadata.tables[rule.table]
    mine = table.c[rule.column] == user_id
    if rule.on_close == registry.DELETE:
        db.session.execute(delete(table).where(mine))
    elif rule.on_close == registry.NULL:
        db.session.execute(update(table).where(mine).values({rule.column: None}))
    elif rule.on_close == registry.CONTENT and not keep_posts and rule.remove:
        db.session.execute(update(table).where(mine).values(_values(rule.remove, now)))
        if rule.images:
            # Their rows go now, so /media/<name> answers 404 from this commit on.
            gone = db.session.execute(delete(MediaImage).where(
                MediaImage.owner_kind == rule.images,
                MediaImage.owner_id.in_(select(table.c.id).where(mine)))
                .returning(MediaImage.name, MediaImage.thumb_name)).all()
            return [("media", name) for pair in gone for name in pair]
    return []


def deleted_name(user_id):
    """A name nobody can sign up with (spaces are not allowed in usernames), so it never
    collides with a living account's."""
    return f"deleted user {user_id}"


def _anonymise_user(user_id, now):
    name = deleted_name(user_id)
    db.session.execute(update(User).where(User.id == user_id).values(
        username=name, username_key=names.key(name), username_skeleton=names.skeleton(name),
        email=deleted_email(user_id), password_hash="!", locale=None, avatar=None,
        email_verified_at=None, pending_email=None, pending_email_at=None,
        banned_at=now, ban_reason=None, auth_version=User.auth_version + 1,
    ).execution_options(synchronize_session=False))


def deleted_email(user_id):
    """An address at a reserved name: nobody can sign up with it, and no mail goes there."""
    return f"deleted-{user_id}@{DELETED_DOMAIN}"


def is_closed(user):
    return user.email == deleted_email(user.id) and user.username == deleted_name(user.id)


# ---- the worker: the second pass -------------------------------------------

def purge_due(now=None):
    """Empty the personal columns of retained rows (orders) of closed accounts once their
    retention has run out; an account whose retained rows are all emptied is purged.
    Returns how many accounts were finished."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["ORDER_RETENTION_DAYS"])
    ids = db.session.scalars(select(AccountClosure.user_id).where(
        AccountClosure.closed_at.is_not(None), AccountClosure.purged_at.is_(None))).all()
    finished = 0
    for user_id in ids:
        with transaction(reload=False):
            waiting = 0
            for rule in registry.retained():
                table = db.metadata.tables[rule.table]
                mine = table.c[rule.column] == user_id
                old = table.c[rule.age_column] < cutoff
                filled = or_(*(table.c[c].is_not(None) for c in rule.scrub))
                db.session.execute(update(table).where(and_(mine, old, filled))
                                   .values(_values(rule.scrub, now)))
                waiting += db.session.scalar(select(func.count()).select_from(table)
                                             .where(mine, ~old))
            if not waiting:
                finished += db.session.execute(update(AccountClosure).where(
                    AccountClosure.user_id == user_id, AccountClosure.purged_at.is_(None))
                    .values(purged_at=now).execution_options(synchronize_session=False)).rowcount
    return finished
