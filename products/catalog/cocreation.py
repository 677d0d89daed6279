"""Who may become a co-creator of a product, and who holds its rights: the one place the
join button and API, the staff's grants, F-code issuing, the early window of a tier and
the campaign widget ask.

Co-creation is earned, not clicked:
- Joining needs a signed-in, unbanned account with a confirmed address (when
  FANFORGE_REQUIRE_VERIFIED_EMAIL is on, the default) and a contribution to the product:
  a vote for one of its origin ideas, or a visible post in the discussion of one of them
  or in the product's own thread. A fan of FANFORGE_COCREATOR_MIN_LEVEL or above
  (default 4, "Devotee": weeks of taking part) needs no contribution to this product.
- Proposers of the origin ideas are co-creators from the start.
- Staff may grant co-creation to a named fan (recorded with who granted it), and take a
  grant or a participant's place back; proposers stay credited for good.

The rights (F-codes when a campaign is published or staff hand them out, buying a tier in
its early window without an F-code) go to co-creators who *qualify* when they are used:
still unbanned and confirmed, and a proposer, granted by staff, or with the contribution
or level above. So a one-click joiner from before this rule, a retracted vote or a ban
withdraws the rights without rewriting any row.

Everything is read from the database at each check; `standing` is the rule as one SQL
expression, so a page that shows many products asks it in one statement.
"""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, or_, select, true, union
from sqlalchemy.orm import aliased

from community.accounts import service as accounts
from community.accounts.levels import LEVELS
from community.accounts.models import User
from community.forum.models import Post
from community.ideas.models import Idea, Vote
from community.kernel.errors import Forbidden
from community.kernel.extensions import db

from .models import CoCreator, Product, ProductIdea

DEFAULT_MIN_LEVEL = 4

# Parameters of `standing`: filled from the configuration by params() at each check.
_MIN_POINTS = bindparam("cocreator_min_points")
_ANY_ADDRESS = bindparam("cocreator_any_address")


def min_level():
    return int(current_app.config.get("COCREATOR_MIN_LEVEL", DEFAULT_MIN_LEVEL))


def min_points():
    """The points the configured level needs (a level past the last one: the last one)."""
    return LEVELS[min(max(min_level(), 1), len(LEVELS)) - 1].points


def params():
    return {"cocreator_min_points": min_points(),
            "cocreator_any_address": not current_app.config["REQUIRE_VERIFIED_EMAIL"]}


# ---- the rule as SQL ------------------------------------------------------------
# Each subquery has tables of its own (aliases) and correlates everything else
# (correlate_except): product_id and user_id may be the caller's columns at any depth
# of nesting, and are never pulled into a subquery's FROM as a second, unrelated copy.

def _own(exists_or_select, *tables):
    return exists_or_select.correlate_except(*tables)


def contributed(product_id, user_id):
    """SQL: the user voted for one of the product's origin ideas, or has a visible post
    in one of their discussions or in the product's thread."""
    origin, origin_ideas, idea, product = (aliased(ProductIdea), aliased(ProductIdea),
                                           aliased(Idea), aliased(Product))
    vote, post = aliased(Vote), aliased(Post)
    threads = union(
        _own(select(idea.thread_id).join(origin, origin.idea_id == idea.id)
             .where(origin.product_id == product_id), idea, origin),
        _own(select(product.thread_id).where(product.id == product_id), product))
    voted = _own(exists().where(vote.user_id == user_id, vote.idea_id.in_(
        _own(select(origin_ideas.idea_id).where(origin_ideas.product_id == product_id),
             origin_ideas))), vote)
    posted = _own(exists().where(post.author_id == user_id, post.thread_id.in_(threads),
                                 post.deleted_at.is_(None), post.hidden.is_(False)), post)
    return or_(voted, posted)


def in_good_standing(user_id):
    """SQL: the account is unbanned and confirmed (or confirmation is not required)."""
    user = aliased(User)
    return _own(exists().where(user.id == user_id, user.banned_at.is_(None),
                               or_(user.email_verified_at.is_not(None), true() == _ANY_ADDRESS)),
                user)


def earned(product_id, user_id):
    """SQL: the contribution or the level that lets a fan join."""
    user = aliased(User)
    level = _own(exists().where(user.id == user_id, user.points >= _MIN_POINTS), user)
    return or_(level, contributed(product_id, user_id))


def standing(product_id, user_id):
    """SQL: the user is a co-creator of the product who qualifies for its rights now.
    Cheap tests first: both databases stop at the first true branch. The caller's own
    expressions go into every branch (not the co-creator row's columns), so each
    subquery searches its index by a known product and user."""
    row = aliased(CoCreator)
    return and_(
        _own(exists().where(row.product_id == product_id, row.user_id == user_id,
                            or_(row.source == "proposer", row.granted_by_id.is_not(None),
                                earned(product_id, user_id))), row),
        in_good_standing(user_id))


# ---- checks ---------------------------------------------------------------------

def _user_id(user):
    return user.id if user is not None and user.is_authenticated else None


def ensure_can_join(product, user):
    """Raise Forbidden saying why and what to do, unless the user may join now."""
    if _user_id(user) is None:
        raise Forbidden(_("Sign in to join the product."), code="sign_in_required")
    if user.is_banned:
        raise Forbidden(_("Your account is banned and cannot join products."), code="banned")
    accounts.ensure_verified(user)
    if not db.session.scalar(select(earned(product.id, user.id)), params()):
        raise Forbidden(
            _("Co-creators are fans who took part: vote for one of the ideas this product grew "
              "from, or reply in their discussion or in the product's thread, then join. Fans "
              "of level %(n)d and above can join straight away.", n=min_level()),
            code="contribution_required")


def ensure_can_be_granted(user):
    """A grant goes to an unbanned account with a confirmed address: it could use no right."""
    if user.is_banned:
        raise Forbidden(_("%(name)s is banned.", name=user.username), field="username",
                        code="banned")
    if current_app.config["REQUIRE_VERIFIED_EMAIL"] and not user.is_verified:
        raise Forbidden(_("%(name)s has not confirmed their email address yet.",
                          name=user.username), field="username", code="email_unverified")


def qualifies(product_id, user):
    """Whether the user is a co-creator who holds the rights now (the early window)."""
    user_id = _user_id(user)
    if user_id is None:
        return False
    return bool(db.session.scalar(select(standing(product_id, user_id)), params()))


def qualifying(product_id, user_ids=None):
    """The co-creators of the product (or those among user_ids) who qualify now, in one
    query: F-codes go to them."""
    stmt = select(CoCreator.user_id).where(
        CoCreator.product_id == product_id, standing(product_id, CoCreator.user_id))
    if user_ids is not None:
        if not user_ids:
            return set()
        stmt = stmt.where(CoCreator.user_id.in_(list(user_ids)))
    return set(db.session.scalars(stmt, params()))


def qualifying_products(user, product_ids):
    """Which of these products the user holds co-creator rights in (cards, in one query)."""
    user_id = _user_id(user)
    if user_id is None or not product_ids:
        return set()
    stmt = select(Product.id).where(Product.id.in_(list(product_ids)),
                                    standing(Product.id, user_id))
    return set(db.session.scalars(stmt, params()))
