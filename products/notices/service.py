"""Following a product, and the updates staff post to a campaign's backers.

Who may read an update: a public one, anyone; a backers-only one, staff and whoever
holds units of its campaign (campaign_buyers). Every view and API route asks `visible`,
`updates_of`, `product_updates` or `get_update` (all built on `_visible_to`); none decides
on its own.

A backers-only update's reply thread (kind BACKERS_THREAD_KIND) follows its update: the
forum asks `can_read_thread` for the thread, its replies and every route to them, and
`guard_reply` before a reply, so anyone else gets the 404 of a missing thread. Threads of
that kind are left out of search, the activity feed, profiles and reply notices (the
forum's rule for threads whose owner decides the readers), and their pages are never
stored for sharing.
"""

from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, or_, select

from community.accounts.models import User
from community.accounts.rows import AUTHOR_COLUMNS, Author
from community.forum import service as forum
from community.forum.moderation import ensure_staff
from community.kernel.database import insert_ignore, transaction
from community.kernel.errors import NotFound, ValidationError
from community.kernel.extensions import db
from community.kernel.reads import moment, rows_among, rows_of
from community.mail import broadcast
from community.notifications.fanout import excerpt_of_html
from community.web.markdown import render

from ..campaigns.models import Campaign, CampaignBuyer, Tier
from ..catalog.models import Product
from .models import AUDIENCES, BACKERS_THREAD_KIND, BackerUpdate, ProductFollow

TITLE_MAX, BODY_MAX = 200, 20_000


# ---- following -------------------------------------------------------------

def get_product(product_id):
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(_("No such product."))
    return product


def follow(user, product_id):
    """Hear when the product's campaign is scheduled or opens. Twice is once."""
    user_id = user.id
    with transaction():
        product = get_product(product_id)
        insert_ignore(ProductFollow, product_id=product.id, user_id=user_id)
    return product


def unfollow(user, product_id):
    user_id = user.id
    with transaction():
        product = get_product(product_id)
        db.session.execute(delete(ProductFollow).where(ProductFollow.product_id == product.id,
                                                       ProductFollow.user_id == user_id))
    return product


# Built once and run on the driver: every product page asks for its reader.
_FOLLOWING = select(ProductFollow.product_id).where(
    ProductFollow.user_id == bindparam("user_id"),
    ProductFollow.product_id.in_(bindparam("ids", expanding=True)))


def following(user_id, product_ids):
    """Which of these products the user follows."""
    return {product_id for (product_id,) in rows_among(_FOLLOWING, product_ids, user_id=user_id)}


# ---- backer updates --------------------------------------------------------

def _clean(title, body, audience, tier_ids, campaign):
    title = " ".join((title or "").split())
    if not 1 <= len(title) <= TITLE_MAX:
        raise ValidationError(_("Give the update a title of up to %(n)d characters.", n=TITLE_MAX),
                              field="title")
    body = (body or "").strip()
    if not 1 <= len(body) <= BODY_MAX:
        raise ValidationError(_("Write the update (up to %(n)d characters).", n=BODY_MAX),
                              field="body")
    if audience not in AUDIENCES:
        raise ValidationError(_("Show the update to everyone or to backers only."),
                              field="audience")
    tier_ids = sorted({int(t) for t in tier_ids or ()})
    known = {t.id for t in campaign.tiers}
    if any(t not in known for t in tier_ids):
        raise ValidationError(_("Pick tiers of this campaign."), field="tiers")
    return title, body, tier_ids or None


def post_update(campaign_id, actor, title, body, audience="public", tier_ids=None):
    """Staff tell a campaign's backers (all, or those of `tier_ids`) some news, once each;
    the update gets a thread for replies. The telling is a batch for the worker."""
    ensure_staff(actor)
    with transaction():
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(_("No such campaign."))
        title, body, tier_ids = _clean(title, body, audience, tier_ids, campaign)
        product = db.session.get(Product, campaign.product_id)
        html = render(body)
        # A backers-only update's words stay off the (unlisted) thread anyone could open.
        opening = body if audience == "public" else _(
            "Replies to the backer update “%(title)s”.", title=title)
        kind = "product" if audience == "public" else BACKERS_THREAD_KIND
        thread = forum.add_thread(product.board_id, actor, title, opening, kind=kind,
                                  listed=False)
        update = BackerUpdate(campaign_id=campaign.id, product_id=product.id, author_id=actor.id,
                              title=title, body=body, body_html=html, audience=audience,
                              tier_ids=tier_ids, thread_id=thread.id)
        db.session.add(update)
        db.session.flush()
        broadcast.start("backer_update", f"update:{update.id}", "campaign_backers",
                        {"campaign_id": campaign.id, "tier_ids": tier_ids}, exclude=actor.id,
                        actor_id=actor.id, target_type="backer_update", target_id=update.id,
                        thread_id=thread.id, title=title, detail=product.name,
                        excerpt=excerpt_of_html(html))
    return update


def _backer_of(user_id):
    """SQL: the update's campaign is one the user (an id, or a bind of one) holds units of."""
    return select(CampaignBuyer.campaign_id).where(CampaignBuyer.user_id == user_id,
                                                   CampaignBuyer.units > 0)


def _reader_kind(viewer):
    """Which updates the viewer may read: "staff" every one, "visitor" the public ones,
    "member" the public ones and those of the campaigns they hold units of."""
    if viewer is not None and viewer.is_authenticated and viewer.is_staff:
        return "staff"
    if viewer is None or not viewer.is_authenticated:
        return "visitor"
    return "member"


def _visible_to(kind, user_id=None):
    if kind == "staff":
        return []
    if kind == "visitor":
        return [BackerUpdate.audience == "public"]
    return [or_(BackerUpdate.audience == "public",
                BackerUpdate.campaign_id.in_(_backer_of(user_id)))]


def _visible(viewer):
    kind = _reader_kind(viewer)
    return _visible_to(kind, viewer.id if kind == "member" else None)


def updates_of(viewer, product_id=None, campaign_id=None, limit=50):
    """The updates the viewer may read, newest first."""
    where = _visible(viewer)
    if product_id is not None:
        where.append(BackerUpdate.product_id == product_id)
    if campaign_id is not None:
        where.append(BackerUpdate.campaign_id == campaign_id)
    return db.session.scalars(select(BackerUpdate).where(*where)
                              .order_by(BackerUpdate.id.desc()).limit(limit)).all()


class ShownUpdate(NamedTuple):
    """An update as the product page lists it; `author` an accounts Author."""
    id: int
    title: str
    audience: str
    body_html: str
    thread_id: int | None
    created_at: datetime
    author: Author


# A product's updates as updates_of gives them, one statement per kind of reader, built
# once and run on the driver: every product page draws them for its reader.
_PRODUCT_UPDATES = {
    kind: select(BackerUpdate.id, BackerUpdate.title, BackerUpdate.audience,
                 BackerUpdate.body_html, BackerUpdate.thread_id, BackerUpdate.created_at,
                 *AUTHOR_COLUMNS)
    .join(User, User.id == BackerUpdate.author_id)
    .where(*_visible_to(kind, bindparam("user_id")),
           BackerUpdate.product_id == bindparam("product_id"))
    .order_by(BackerUpdate.id.desc()).limit(bindparam("limit"))
    for kind in ("staff", "visitor", "member")}


def product_updates(viewer, product_id, limit=50):
    """updates_of(viewer, product_id=product_id, limit=limit) as ShownUpdates."""
    kind = _reader_kind(viewer)
    params = {"user_id": viewer.id} if kind == "member" else {}
    return [ShownUpdate(*row[:5], moment(row[5]), Author(*row[6:])) for row in rows_of(
        _PRODUCT_UPDATES[kind], product_id=product_id, limit=limit, **params)]


def get_update(update_id, viewer):
    found = db.session.scalar(select(BackerUpdate).where(BackerUpdate.id == update_id,
                                                         *_visible(viewer)))
    if found is None:
        raise NotFound(_("No such update."))
    return found


def can_read_thread(thread, viewer):
    """Whether the viewer may read a backers-only update's thread: as its update."""
    if viewer is not None and viewer.is_authenticated and viewer.is_staff:
        return True
    return db.session.scalar(select(BackerUpdate.id).where(
        BackerUpdate.thread_id == thread.id, *_visible(viewer)).limit(1)) is not None


def guard_reply(thread, author):
    if not can_read_thread(thread, author):
        raise NotFound(_("No such thread."))


def tiers_of(campaign_id):
    return db.session.scalars(select(Tier).where(Tier.campaign_id == campaign_id)
                              .order_by(Tier.position, Tier.id)).all()


def campaign_of(campaign_id, viewer=None):
    """The campaign, as anyone may see it: a draft is staff's alone (others get a 404, as
    for a campaign that does not exist)."""
    campaign = db.session.get(Campaign, campaign_id)
    hidden = campaign is not None and campaign.state == "draft" and not getattr(
        viewer, "is_staff", False)
    if campaign is None or hidden:
        raise NotFound(_("No such campaign."))
    return campaign
