"""Referral codes and the fans who bring backers.

A code is the user's id in base 36 followed by six hex digits of an HMAC of it,
so codes need no table, cannot be guessed from a username, and are checked
without a query.
"""

import hashlib
import hmac

from flask import current_app
from sqlalchemy import distinct, func, select

from community.accounts.models import User
from community.kernel.extensions import db

from .models import Order

COOKIE = "ff_ref"
REMEMBER_DAYS = 30
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _mac(text):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"ref:" + text.encode(), hashlib.sha256).hexdigest()[:6]


def _base36(n):
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
        if n == 0:
            return out


def code_for(user_id):
    head = _base36(user_id)
    return head + _mac(head)


def user_id_for(code):
    """The referrer's id for a code, or None for anything forged or malformed."""
    code = (code or "").strip().lower()
    if not 7 <= len(code) <= 20 or not all(c in _DIGITS for c in code):
        return None
    head, mac = code[:-6], code[-6:]
    if not hmac.compare_digest(_mac(head), mac):
        return None
    return int(head, 36)


def top_referrers(campaign_ids, limit=5):
    """[(user, backers, units)] of the fans who brought the most backers."""
    if not campaign_ids:
        return []
    live = (Order.campaign_id.in_(campaign_ids), Order.referrer_id.is_not(None),
            Order.state != "cancelled")
    rows = db.session.execute(
        select(Order.referrer_id, func.count(distinct(Order.buyer_id)), func.sum(Order.quantity))
        .where(*live).group_by(Order.referrer_id)
        .order_by(func.count(distinct(Order.buyer_id)).desc(), Order.referrer_id).limit(limit)
    ).all()
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_([r[0] for r in rows])))}
    return [(users[r[0]], r[1], r[2]) for r in rows]


def backers_brought(user_id):
    """How many distinct buyers this fan brought, over every campaign."""
    return db.session.scalar(select(func.count(distinct(Order.buyer_id))).where(
        Order.referrer_id == user_id, Order.state != "cancelled"))
