"""Notification mail: one mail per notification a fan wants at once, and a daily digest.

Immediate mails are queued by the notification listeners right after their fan-out,
in the same transaction and in one INSERT ... SELECT, so an event with many followers
stays a couple of statements. Digests are queued once a day (mail.digests) for the
previous calendar day in the community's time zone; the outbox's unique
(digest, user, day) key makes that once per user per day whoever runs it.

What a mail says is read at send time: a notification read on the site meanwhile, or a
kind switched to "never", is not mailed.
"""

from datetime import UTC, date, datetime, time, timedelta

from flask import get_template_attribute
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, literal, select

from ..accounts.models import User
from ..kernel import clock
from ..kernel.database import dialect_name, utcnow
from ..kernel.extensions import db
from ..notifications import kinds as notice_kinds
from ..notifications.fanout import fan_out, notify
from ..notifications.models import Notification
from ..notifications.views import event_url
from ..web.site import absolute, absolute_url
from . import outbox, prefs
from .render import Letter, locale_of, register_kind

DIGEST_PER_KIND = 20  # items listed per kind; the rest is a count and a link


def recipient_ok():
    return (User.banned_at.is_(None), User.email_verified_at.is_not(None))


def fan_out_and_mail(kind, recipients, exclude=(), **values):
    """notifications.fanout.fan_out, then mail to the recipients who want this kind at
    once (one more INSERT ... SELECT in the same transaction). Every listener that tells
    people something calls this, circles' included (notify_and_mail for one person)."""
    since = utcnow()
    fan_out(kind, recipients, exclude, **values)
    queue_immediate(kind, since, values.get("target_type"), values.get("target_id"),
                    values.get("idea_id"))


def notify_and_mail(kind, user_id, **values):
    """fan_out_and_mail to one known person (a buyer about their order): two statements
    built once. Returns the notification's id."""
    note_id = notify(kind, user_id, **values)
    outbox.queue_built(_one_statement(), "notification", user_id=user_id, ref_id=note_id,
                       **prefs.choice_parameters(kind))
    return note_id


# Mail statements built once per dialect and shape, run with the kind and times bound:
# building them cost more Python than SQLite takes to run them.
_STATEMENTS = {}


def _wants_it_now(user_id):
    return prefs.choice_of(user_id) == "immediate"


def _one_statement():
    """The mail of one notification (:ref_id) to :user_id, if they want it at once."""
    key = (dialect_name(), "one")
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        user_id = bindparam("user_id", type_=Integer)
        mailable = select(User.id).where(User.id == user_id, *recipient_ok()).exists()
        rows = select(user_id.label("user_id"), bindparam("ref_id", type_=Integer).label("ref_id")
                      ).where(mailable, _wants_it_now(user_id))
        stmt = _STATEMENTS[key] = outbox.insert_select(rows, key[0])
    return stmt


def _immediate_statement(by_target, by_idea):
    key = (dialect_name(), by_target, by_idea)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        n = Notification
        where = [n.kind == bindparam("notice_kind"), n.created_at >= bindparam("since", type_=n.created_at.type)]
        if by_target:
            where += [n.target_type == bindparam("target_type"), n.target_id == bindparam("target_id")]
        if by_idea:
            where.append(n.idea_id == bindparam("idea_id"))
        rows = (select(n.user_id.label("user_id"), n.id.label("ref_id"))
                .join(User, User.id == n.user_id)
                .where(*where, *recipient_ok(), _wants_it_now(n.user_id)))
        stmt = _STATEMENTS[key] = outbox.insert_select(rows, key[0])
    return stmt


def queue_immediate(kind, since, target_type=None, target_id=None, idea_id=None):
    """Mail each notification of one fan-out (kind, target, written since `since`) whose
    recipient wants that kind immediately. Call inside the fan-out's transaction."""
    params = {"since": since, **prefs.choice_parameters(kind)}
    if target_type is not None:
        params.update(target_type=target_type, target_id=target_id)
    if idea_id is not None:
        params["idea_id"] = idea_id
    return outbox.queue_built(_immediate_statement(target_type is not None, idea_id is not None),
                              "notification", **params)


def day_key(day):
    return day.year * 10000 + day.month * 100 + day.day


def day_of_key(key):
    return date(key // 10000, key // 100 % 100, key % 100)


def window(day):
    """[start, end) of a calendar day in the community's zone, as naive UTC."""
    def utc(d):
        return datetime.combine(d, time()).replace(tzinfo=clock.zone()) \
            .astimezone(UTC).replace(tzinfo=None)
    return utc(day), utc(day + timedelta(days=1))


def queue_digests(day):
    """Queue the digest of `day` for everyone with unread digest-kind notifications from it."""
    start, end = window(day)
    n = Notification
    rows = (select(n.user_id.label("user_id"), literal(day_key(day)).label("ref_id"))
            .join(User, User.id == n.user_id)
            .where(n.created_at >= start, n.created_at < end, n.read_at.is_(None),
                   *recipient_ok(), prefs.choice_column(n.user_id, n.kind) == "digest")
            .distinct())
    return outbox.queue_select("digest", rows)


def due_digest_day(now, hour):
    """The day whose digest is due at `now` (naive UTC): yesterday, from `hour` o'clock
    local time on; None before that."""
    local = clock.utc_to_local(now)
    return local.date() - timedelta(days=1) if local.hour >= hour else None


# ---- building the mails at send time ---------------------------------------

def _mailable(user):
    return user is not None and not user.is_banned and user.email_verified_at is not None


def event_line(notification):
    """The notification's sentence, as on the notifications page, in plain text."""
    event_text = get_template_attribute("community/notifications/_events.html", "event_text")
    return event_text(notification).striptags()


def build_notification(row):
    user = db.session.get(User, row.user_id)
    note = db.session.get(Notification, row.ref_id)
    if note is None or note.read_at is not None or not _mailable(user):
        return None
    if prefs.preferences(user.id)[note.kind] != "immediate":
        return None  # the fan changed their mind since
    return Letter(
        to=user.email, subject=lambda: event_line(note), template="community/mail/notification",
        locale=locale_of(user), unsubscribe=(user.id, note.kind),
        context={"user": user, "note": note, "link": absolute(event_url(note)),
                 "settings_url": absolute_url("accounts.settings", _anchor="mail")})


def build_digest(row):
    user = db.session.get(User, row.user_id)
    if not _mailable(user):
        return None
    day = day_of_key(row.ref_id)
    start, end = window(day)
    chosen = prefs.preferences(user.id)
    kinds = [k for k in notice_kinds.names() if chosen[k] == "digest"]
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.created_at >= start,
                                   Notification.created_at < end,
                                   Notification.read_at.is_(None),
                                   Notification.kind.in_(kinds))
        .order_by(Notification.id)).all()
    if not notes:
        return None
    groups = []
    for kind in kinds:
        items = [n for n in notes if n.kind == kind]
        if items:
            groups.append({"kind": kind, "total": len(items), "items": [
                (n, absolute(event_url(n))) for n in items[:DIGEST_PER_KIND]]})

    def subject():
        return _("Your digest for %(day)s: %(n)d new", day=format_date(day, "long"), n=len(notes))
    return Letter(
        to=user.email, subject=subject, template="community/mail/digest",
        locale=locale_of(user), unsubscribe=(user.id, prefs.DIGEST),
        context={"user": user, "day": day, "groups": groups, "total": len(notes),
                 "notifications_url": absolute_url("notifications.index"),
                 "settings_url": absolute_url("accounts.settings", _anchor="mail")})


def register():
    register_kind("notification", build_notification)
    register_kind("digest", build_digest)
